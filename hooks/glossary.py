"""MkDocs hook: the glossary page and site-wide abbreviations (sitebuild/glossary.py does the work)."""

from __future__ import annotations

from mkdocs.structure.files import File

from sitebuild.glossary import load_terms, render_page, write_abbreviations


def on_config(config):
    write_abbreviations(load_terms())
    return config


def on_files(files, config):
    files.append(File.generated(config, "glossary.md", content=render_page(load_terms())))
    return files
