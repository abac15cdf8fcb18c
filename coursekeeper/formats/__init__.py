"""Date and number formats where the school's choice differs from Django's defaults.

English pages use British conventions (3 December 2026, 13:05, 03/12/2026), as a European
school's readers expect, rather than Django's American ones ("Dec. 3, 2026", "1:05 p.m.", whose
full stop doubled at the end of a sentence). Danish and German keep Django's own formats.
"""
