"""`{% course_certificate course %}`: the signed-in learner's certificate of a course, if any."""

from django import template

from coursekeeper.certificates.selectors import certificate_of

register = template.Library()


@register.inclusion_tag("certificates/_course_certificate.html", takes_context=True)
def course_certificate(context, course) -> dict:
    request = context.get("request")
    learner = getattr(request, "user", None)
    return {"certificate": certificate_of(learner=learner, course=course), "slug": course.slug}
