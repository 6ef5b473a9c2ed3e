"""Courses the demo ships, written and built by this project (never copied from test fixtures).

Each course is a folder of plain source files (HTML, one shared JS/CSS runtime, small SVGs and a manifest):

* ``h2s_awareness/`` — "H2S Awareness and Escape", SCORM 2004 4th Edition: one SCO, four pages and a
  five-question quiz; mastery by ``imsss:minNormalizedMeasure`` 0.8.
* ``permit_to_work/`` — "Permit to Work", SCORM 1.2: one SCO, pages and a quiz; ``adlcp:masteryscore`` 80.
* ``shared/`` — ``course.js`` (finds API / API_1484_11 the standard way, pages, quiz, interactions, resume)
  and ``course.css``; copied into every package under ``shared/``.

`hub.demo_courses.builder` zips them deterministically, so a package's content hash (and so its id) only
changes when its sources do, and `hub.demo` imports them through the normal import path.
"""

from hub.demo_courses.builder import DEMO_COURSE_SOURCES, BuiltCourse, CourseSource, build_course, build_demo_courses

__all__ = ["DEMO_COURSE_SOURCES", "BuiltCourse", "CourseSource", "build_course", "build_demo_courses"]
