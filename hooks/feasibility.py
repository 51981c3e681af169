"""MkDocs hook: 'How the assessor decides' and the static questionnaire, both from kb/feasibility/."""

from __future__ import annotations

import json

from mkdocs.structure.files import File

from search_api.feasibility import assess as feasibility
from search_api.feasibility import rules as feasibility_rules
from sitebuild.feasibility_page import PAGE, render_page

# The questionnaire page reads this when the API is not there (a static copy of the hub).
QUESTIONS_JSON = "assets/feasibility/questions.json"


def on_config(config):
    # `mkdocs serve` reuses the process: read the rules afresh on every build.
    feasibility_rules.load.cache_clear()
    return config


def on_files(files, config):
    rs = feasibility_rules.load()
    files.append(File.generated(config, PAGE, content=render_page(rs)))
    payload = json.dumps(feasibility.questionnaire(rs), ensure_ascii=False, indent=1)
    files.append(File.generated(config, QUESTIONS_JSON, content=payload))
    return files
