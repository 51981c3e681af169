"""Build time: export the embedding model to ONNX and check its vectors match torch's."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from search_api.index.embedder import DIMENSION, MODEL_NAME, resolve_model_path
from search_api.index.onnx import MIN_COSINE, ONNX_DIR, OnnxEncoder


def export(model_path: Path, out_dir: Path = ONNX_DIR) -> Path:
    """Export the transformer with mean pooling and normalisation inside the graph."""
    import torch
    from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(str(model_path), device="cpu", local_files_only=True)
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
    with torch.no_grad():
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
    os.replace(tmp, out_dir / "model.onnx")
    (out_dir / "tokenizer.json").write_bytes((model_path / "tokenizer.json").read_bytes())
    return out_dir / "model.onnx"


def verify(reference_texts: list[str], reference_vectors: np.ndarray, folder: Path = ONNX_DIR) -> dict:
    """Compare ONNX vectors with the torch ones; write the verdict beside the model."""
    vecs = OnnxEncoder(folder).encode(reference_texts)
    cosines = np.sum(vecs * reference_vectors, axis=1)
    report = {
        "texts": len(reference_texts),
        "min_cosine": float(cosines.min()) if len(cosines) else None,
        "mean_cosine": float(cosines.mean()) if len(cosines) else None,
        "threshold": MIN_COSINE,
        "verified": bool(len(cosines) and cosines.min() >= MIN_COSINE),
    }
    (folder / "verification.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    return report


def export_and_verify(index_dir: Path, model_override: str | None = None, sample: int = 600) -> dict:
    """Export, then check against the torch vectors stored in the current index."""
    from search_api.index.store import load_index
    from sitebuild.indexer import embed_text

    export(resolve_model_path(model_override))
    stored = load_index(index_dir, MODEL_NAME, DIMENSION)
    step = max(1, len(stored.chunks) // sample)
    picks = list(range(0, len(stored.chunks), step))[:sample]
    return verify([embed_text(stored.chunks[i]) for i in picks], stored.vectors[picks])
