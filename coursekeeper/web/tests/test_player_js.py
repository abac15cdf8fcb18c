"""The lesson player script (web/static/web/player.js), run under Node with a fake video and fetch.

These prove the script's own rules: what it sends, when it sends nothing, one request at a time,
and that a refused or failed save never throws (R5: the learner resumes where they stopped).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

PLAYER = Path(__file__).resolve().parents[1] / "static" / "web" / "player.js"

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")

# A fake <video>, document and fetch: just enough DOM for player.js, each fetch left pending
# until the scenario answers it. Unhandled promise rejections make node exit non-zero.
HARNESS = r"""
const player = require(process.argv[2]);
const scenario = process.argv[3];
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
const calls = [];
globalThis.fetch = (url, init) => new Promise((resolve, reject) => {
  calls.push({ url, init, body: JSON.parse(init.body), resolve, reject });
});
const documentTarget = new EventTarget();
documentTarget.visibilityState = "visible";
documentTarget.body = {};
globalThis.document = documentTarget;
globalThis.window = new EventTarget();

function fakeVideo(dataset, status) {
  const video = new EventTarget();
  Object.assign(video, { dataset, currentTime: 0, duration: 30, paused: true, ended: false,
    readyState: 1, parentElement: { querySelector: () => status, parentElement: null } });
  return video;
}
const fire = (target, type) => target.dispatchEvent(new Event(type));
const sent = () => calls.map((call) => call.body);

async function main() {
  if (scenario === "helpers") {
    const video = (startPosition, duration, currentTime) =>
      ({ dataset: { lessonId: "7", startPosition }, duration, currentTime });
    return {
      plain: player.payloadFor(video("0", 30, 12.34), false),
      completed: player.payloadFor(video("0", 30, 29.96), true),
      starts: [["123.4", 600], ["123.4", 124], ["0.0", 600], ["", 600], ["12,5", 600],
               ["5", NaN], ["abc", 600]].map(([start, duration]) =>
        player.startPositionFor(video(start, duration, 0))),
    };
  }
  if (scenario === "refused") {
    const status = { textContent: "" };
    const video = fakeVideo({ lessonId: "7", progressUrl: "/learning/progress/",
      csrfToken: "token-abc", startPosition: "0", savedText: "Saved." }, status);
    player.attach(video);
    video.paused = false;
    video.currentTime = 6;
    fire(video, "timeupdate");
    calls[0].resolve({ ok: false, status: 403,
                       json: () => Promise.resolve({ error: "Your progress is not saved." }) });
    await flush(); await flush(); await flush();
    video.currentTime = 12;
    fire(video, "timeupdate");                // after a 403 nothing more is sent
    video.paused = true;
    fire(video, "pause");
    return { status: status.textContent, bodies: sent() };
  }
  const status = { textContent: "" };
  const video = fakeVideo({ lessonId: "7", progressUrl: "/learning/progress/",
    csrfToken: "token-abc", startPosition: "10.0", savedText: "Saved." }, status);
  player.attach(video);
  const resumedAt = video.currentTime;
  fire(video, "seeked");  // the resume's own seek: the same place, nothing new to save
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const afterResume = sent().length;

  video.paused = false;
  video.currentTime = 16.04;
  fire(video, "timeupdate");                  // 6 s of playback: save
  video.currentTime = 22;
  fire(video, "timeupdate");                  // a tick while one is in flight: skipped
  video.paused = true;
  video.currentTime = 22.5;
  fire(video, "pause");                       // an event while one is in flight: queued
  const whileInFlight = sent().length;
  const statusBefore = status.textContent;
  calls[0].resolve({ ok: true, status: 204 });
  await flush(); await flush();
  const statusAfter = status.textContent;
  calls[1].resolve({ ok: false, status: 500 }); // refused: ignored, no throw
  await flush(); await flush();

  video.currentTime = 30; video.ended = true;
  fire(video, "pause");                       // at the end "ended" does the saving
  fire(video, "ended");
  calls[2].reject(new TypeError("Failed to fetch"));  // offline: ignored, no throw
  await flush(); await flush();

  fire(video, "ended");                       // after a failure the next save goes out
  calls[3].resolve({ ok: true, status: 204 });
  await flush(); await flush();
  documentTarget.visibilityState = "hidden";
  fire(documentTarget, "visibilitychange");   // position already saved: nothing sent
  video.currentTime = 3; video.ended = false;
  fire(globalThis.window, "pagehide");        // a new place: sent, with keepalive

  const first = calls[0];
  return { resumedAt, afterResume, whileInFlight, statusBefore, statusAfter, bodies: sent(),
           url: first.url, method: first.init.method, credentials: first.init.credentials,
           keepalive: calls.every((call) => call.init.keepalive === true),
           headers: first.init.headers };
}
main().then((result) => console.log(JSON.stringify(result)));
"""


def run_player(scenario: str, tmp_path: Path) -> dict:
    harness = tmp_path / "harness.js"
    harness.write_text(HARNESS)
    completed = subprocess.run(
        ["node", str(harness), str(PLAYER), scenario],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def test_payload_and_start_position_helpers(tmp_path):
    result = run_player("helpers", tmp_path)

    assert result["plain"] == {"lesson": 7, "position_seconds": 12.3}
    assert result["completed"] == {"lesson": 7, "position_seconds": 30, "completed": True}
    # Resume inside the video only, never in its last second; a comma decimal is read too.
    assert result["starts"] == [123.4, None, None, None, 12.5, None, None]


def test_r5_player_resumes_and_saves_one_request_at_a_time_without_throwing(tmp_path):
    result = run_player("session", tmp_path)

    assert result["resumedAt"] == 10
    assert result["afterResume"] == 0
    assert result["whileInFlight"] == 1
    assert result["statusBefore"] == ""
    assert result["statusAfter"] == "Saved."
    assert result["bodies"] == [
        {"lesson": 7, "position_seconds": 16},
        {"lesson": 7, "position_seconds": 22.5},
        {"lesson": 7, "position_seconds": 30, "completed": True},
        {"lesson": 7, "position_seconds": 30, "completed": True},
        {"lesson": 7, "position_seconds": 3},
    ]
    assert result["url"] == "/learning/progress/"
    assert result["method"] == "POST"
    assert result["credentials"] == "same-origin"
    assert result["keepalive"] is True
    assert result["headers"] == {"Content-Type": "application/json", "X-CSRFToken": "token-abc"}


def test_r30_player_shows_a_refusal_and_stops_saving_after_a_403(tmp_path):
    """A restricted learner's save is refused with a message: shown once, not asked again."""
    result = run_player("refused", tmp_path)

    assert result["status"] == "Your progress is not saved."
    assert result["bodies"] == [{"lesson": 7, "position_seconds": 6}]


def test_player_is_csp_clean():
    source = PLAYER.read_text()

    for forbidden in ("eval(", "new Function", "innerHTML", 'setAttribute("on', ".style"):
        assert forbidden not in source
