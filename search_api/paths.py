"""Where the project's own files are: the knowledge base under kb/ and the export inside a built site.

Every module takes these names from here, so a folder is spelt out once."""

from __future__ import annotations

from search_api.config import ROOT

KB = ROOT / "kb"
INDEX_DIR = KB / "index"
INDIGO_DIR = KB / "indigo"
FEASIBILITY_DIR = KB / "feasibility"
SECTION_QUESTIONS_DIR = KB / "section_questions"
EVAL_DIR = KB / "eval"
ASK_CONFIG = KB / "ask.yaml"
DECLINE_EXAMPLES = KB / "decline_examples.yaml"
SEARCH_CONFIG = KB / "search.yaml"
GLOSSARY = KB / "glossary.yaml"
REDIRECTS = KB / "redirects.yaml"
BUILD_DIR = KB / "build"
ONNX_DIR = BUILD_DIR / "onnx"
ABBREVIATIONS = BUILD_DIR / "abbreviations.md"
# The last strict site build's log, headed by the fingerprint of the sources it built (not served).
SITE_BUILD_LOG = BUILD_DIR / "site-build.log"

# Inside a built site (site/ or SOP_SITE_DIR): what the build writes for the server and the index.
HUB = "_hub"
PAGES_EXPORT = f"{HUB}/pages.jsonl"
FINGERPRINT = f"{HUB}/fingerprint"
CSP_FILE = f"{HUB}/csp.json"
