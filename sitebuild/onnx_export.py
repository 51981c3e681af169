"""Build time: export the embedding model to ONNX, fuse its layers, and check it matches torch."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from search_api.index.embedder import Encoder, load_torch_encoder, resolve_model_path
from search_api.index.onnx import MIN_COSINE, ONNX_DIR, OnnxEncoder, is_verified

log = logging.getLogger(__name__)
HEADS, HIDDEN = 12, 384  # all-MiniLM-L6-v2's attention heads and hidden size


def _load(model_path: Path) -> Any:
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # a bar for loading 90 MB from disk says nothing useful
    return SentenceTransformer(str(model_path), device="cpu", local_files_only=True)


def export(model_path: Path, out_dir: Path = ONNX_DIR, st: Any = None) -> Path:
    """Export the transformer with mean pooling and normalisation inside the graph."""
    import torch

    st = st or _load(model_path)
    bert = st[0].auto_model
    bert.config._attn_implementation = "eager"  # plain attention traces cleanly

    class Pooled(torch.nn.Module):
        def __init__(self, model: torch.nn.Module) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            hidden = self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    sample = st.tokenizer(["a sample sentence", "two"], return_tensors="pt", padding=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = out_dir / "model.onnx.tmp"
    names = ["input_ids", "attention_mask", "token_type_ids"]
    # The tracer warns about constructs this model does not use with other shapes; the check below
    # compares real vectors, which is what matters.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Pooled(bert).eval(),
            tuple(sample[n] for n in names),
            str(tmp),
            input_names=names,
            output_names=["embedding"],
            dynamic_axes={**{n: {0: "b", 1: "s"} for n in names}, "embedding": {0: "b"}},
            opset_version=17,
            dynamo=False,
        )
    fuse(tmp)
    os.replace(tmp, out_dir / "model.onnx")
    (out_dir / "tokenizer.json").write_bytes((model_path / "tokenizer.json").read_bytes())
    return out_dir / "model.onnx"


def fuse(path: Path) -> bool:
    """Fuse attention, GELU and layer norms in place (the same sums in fewer kernels: ~1.3x faster).

    The verification below still decides whether the result is used."""
    try:
        from onnxruntime.transformers import optimizer

        fused = optimizer.optimize_model(str(path), model_type="bert", num_heads=HEADS, hidden_size=HIDDEN, opt_level=1)
        fused.save_model_to_file(str(path))
        return True
    except Exception as exc:  # noqa: BLE001 - an unfused model is still correct, only slower
        log.warning("ONNX fusion skipped: %s: %s", type(exc).__name__, exc)
        return False


def verify(texts: list[str], reference: np.ndarray, folder: Path = ONNX_DIR) -> dict:
    """Compare ONNX vectors with the torch ones; write the verdict beside the model."""
    vecs = OnnxEncoder(folder).encode(texts)
    cosines = np.sum(vecs * reference, axis=1)
    report = {
        "texts": len(texts),
        "min_cosine": float(cosines.min()) if len(cosines) else None,
        "mean_cosine": float(cosines.mean()) if len(cosines) else None,
        "threshold": MIN_COSINE,
        "verified": bool(len(cosines) and cosines.min() >= MIN_COSINE),
    }
    (folder / "verification.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    return report


def sample_texts(docs_dir: Path, n: int = 160) -> list[str]:
    """Texts like those the index embeds, spread over every length: the pages' own paragraphs,
    alone and six at a time (so some pass the model's 256-token limit).

    Read from docs/, not the built site, so the export can run while the site builds."""
    texts: set[str] = set()
    for path in sorted(docs_dir.rglob("*.md")):
        blocks = [b.strip() for b in re.split(r"\n\s*\n", path.read_text(encoding="utf-8"))]
        blocks = [b for b in blocks if b and not b.startswith(("---", "|", "<", "```", "{%"))]
        texts.update(blocks)
        texts.update("\n".join(blocks[i : i + 6]) for i in range(0, len(blocks), 6))
    ordered = sorted(texts, key=lambda t: (len(t), t))
    step = max(1, len(ordered) // n)
    return ordered[::step][:n] or ["a social outcomes partnership"]


def export_and_verify(docs_dir: Path, model_override: str | None = None, folder: Path = ONNX_DIR) -> dict:
    """Export, then check against torch on a sample of the pages' own paragraphs (from docs_dir)."""
    model_path = resolve_model_path(model_override)
    st = _load(model_path)
    export(model_path, folder, st)
    texts = sample_texts(docs_dir)
    reference = np.asarray(st.encode(texts, batch_size=32, normalize_embeddings=True), dtype=np.float32)
    return verify(texts, reference, folder)


def build_encoder(docs_dir: Path, encoder: str = "auto", model_override: str | None = None) -> Encoder:
    """The fastest encoder that gives torch's vectors: ONNX on every core, exported first if
    need be; torch when asked for or when the export does not match."""
    if encoder != "torch":
        if not is_verified(ONNX_DIR):
            started = time.perf_counter()
            print("Exporting the model to ONNX and checking it against torch...", file=sys.stderr, flush=True)
            report = export_and_verify(docs_dir, model_override)
            state = "verified" if report["verified"] else "NOT verified: building with torch"
            print(f"  ONNX export {state} ({time.perf_counter() - started:.0f} s).", file=sys.stderr, flush=True)
        if is_verified(ONNX_DIR):
            return OnnxEncoder(ONNX_DIR, workers=os.cpu_count() or 1)
    return load_torch_encoder(model_override)
