// The owner's marketing and statistics tags (R22), loaded only where the page emitted this
// script: on a public page, for a device whose cookie choice accepts each tag's category
// (`cookies.tags`). Each data attribute carries one tag's id; the page's Content-Security-Policy
// allows exactly the origins of the tags named here.
//
// The queues below are the ones the vendors' own snippets define inline; an inline script would
// need the policy to allow inline code, so they live in this file instead.
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script) {
    return;
  }

  function load(src) {
    var element = document.createElement("script");
    element.async = true;
    element.src = src;
    document.head.appendChild(element);
  }

  var metaPixel = script.dataset.metaPixel;
  if (metaPixel && !window.fbq) {
    var fbq = function () {
      if (fbq.callMethod) {
        fbq.callMethod.apply(fbq, arguments);
      } else {
        fbq.queue.push(arguments);
      }
    };
    window.fbq = fbq;
    window._fbq = window._fbq || fbq;
    fbq.push = fbq;
    fbq.loaded = true;
    fbq.version = "2.0";
    fbq.queue = [];
    fbq("init", metaPixel);
    fbq("track", "PageView");
    load("https://connect.facebook.net/en_US/fbevents.js");
  }

  var googleTag = script.dataset.googleTag;
  if (googleTag) {
    window.dataLayer = window.dataLayer || [];
    window.gtag = function () {
      window.dataLayer.push(arguments);
    };
    window.gtag("js", new Date());
    window.gtag("config", googleTag);
    load("https://www.googletagmanager.com/gtag/js?id=" + encodeURIComponent(googleTag));
  }

  var linkedinPartner = script.dataset.linkedinPartner;
  if (linkedinPartner) {
    window._linkedin_partner_id = linkedinPartner;
    window._linkedin_data_partner_ids = window._linkedin_data_partner_ids || [];
    window._linkedin_data_partner_ids.push(linkedinPartner);
    if (!window.lintrk) {
      window.lintrk = function (action, data) {
        window.lintrk.q.push([action, data]);
      };
      window.lintrk.q = [];
    }
    load("https://snap.licdn.com/li.lms-analytics/insight.min.js");
  }
})();
