"""EmbeddingGemma through ONNX Runtime in fp32, int8, or int8 but the down-projections: measured options.

sentence-transformers' own ``backend="onnx"`` needs ``optimum-onnx``, whose only release (0.1.0) requires
transformers < 4.58 while this project runs transformers 5 (which EmbeddingGemma's sentence-transformers
6 needs). So the model is exported here, once, with ``torch.onnx.export``: the transformer, mean
pooling, the two dense layers and the normalisation in one graph, with the attention mask built outside
transformers' mask functions (their ``vmap`` code does not trace). EmbeddingGemma's sliding window (512)
covers the whole 512-token input, so one bidirectional padding mask serves every layer; the export is
checked against the torch model (cosine >= 0.999 on a probe) before it is kept.

Measured on the 2-core machine (``lobby bench embed``, docs/PERFORMANCE.md): fp32 is barely faster than
torch fp32; int8 in every MatMul is 2.6x faster but loses 2.7 % nDCG@10. Nearly all of that loss comes
from the feed-forward down-projections (int8 in gate and up alone keeps cosine 0.998 to fp32; with down,
0.963), so ``int8-mixed`` quantises the attention projections and the feed-forward gate and up and
leaves the down-projections and the attention scores in fp32: 2.1x torch fp32 at cosine 0.99 and
-0.4 % (rijksoverheid_vac) / -0.7 % (legalqa_nl) nDCG@10. It is not the default: on the gold set's
development half it refuses fewer near misses than torch (0.35 against 0.65), see docs/PERFORMANCE.md.
"""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path
from typing import Any, Literal, cast, get_args

from langchain_core.embeddings import Embeddings

from assistant.index.models import ModelError

log = logging.getLogger(__name__)

Precision = Literal["fp32", "int8", "int8-mixed"]
#: The exported graph's file per precision, beside the fp32 export.
FILES: dict[str, str] = {
    "fp32": "model.onnx",
    "int8": "model_int8.onnx",
    "int8-mixed": "model_int8_mixed.onnx",
}
#: Linear layers ``int8-mixed`` quantises: the attention projections and the feed-forward gate and up.
#: The feed-forward down-projections stay fp32: they carry most of int8's loss (gate and up alone keep
#: cosine 0.998 to fp32; with down, 0.963). Attention scores (activations only) stay fp32 too.
MIXED_INT8 = ("/self_attn/q_proj/", "/self_attn/k_proj/", "/self_attn/v_proj/", "/self_attn/o_proj/",
              "/mlp/gate_proj/", "/mlp/up_proj/")  # fmt: skip
_EXPORT_LOCK = threading.Lock()
_MIN_PROBE_COSINE = 0.999


def precision_of(name: str) -> Precision:
    """The precision a runtime or backend name selects: ``onnx`` and ``onnx-fp32`` are fp32."""
    rest = name.removeprefix("onnx").removeprefix("-") or "fp32"
    if rest not in get_args(Precision):
        raise ValueError(f"{name!r} names no ONNX precision")
    return cast(Precision, rest)


def onnx_dir(model_dir: Path) -> Path:
    """Where the exported graphs of a model directory live (beside it in the model cache)."""
    return model_dir.parent / f"{model_dir.name}-onnx"


def _export_fp32(model_dir: Path, target: Path) -> None:
    """Export the sentence-transformers model in ``model_dir`` to ``target`` and check it on a probe."""
    import numpy as np
    import onnxruntime as ort
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(
        str(model_dir), device="cpu", model_kwargs={"dtype": torch.float32, "attn_implementation": "eager"}
    ).eval()
    transformer: Any = model[0].auto_model
    head = torch.nn.ModuleList([model[i] for i in range(1, len(model))])

    class _Graph(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer
            self.head = head

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            keep = attention_mask[:, None, None, :].to(torch.float32)
            size = input_ids.shape[1]
            mask = ((1.0 - keep) * torch.finfo(torch.float32).min).expand(-1, 1, size, -1)
            masks = {"full_attention": mask, "sliding_attention": mask}
            hidden = self.transformer(input_ids=input_ids, attention_mask=masks).last_hidden_state
            features: dict[str, Any] = {
                "input_ids": input_ids, "attention_mask": attention_mask, "token_embeddings": hidden,
            }  # fmt: skip
            for module in self.head:
                features = module(features)
            return features["sentence_embedding"]  # type: ignore[no-any-return]

    probe = ["title: none | text: De provincies vragen het kabinet om structurele middelen.", "kort"]
    batch = model.tokenizer(probe, padding=True, return_tensors="pt")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    with torch.no_grad():
        reference = model.encode(probe, normalize_embeddings=True, convert_to_numpy=True)
        torch.onnx.export(
            _Graph().eval(), (batch["input_ids"], batch["attention_mask"]), str(partial),
            input_names=["input_ids", "attention_mask"], output_names=["sentence_embedding"],
            dynamic_axes={"input_ids": {0: "b", 1: "s"}, "attention_mask": {0: "b", 1: "s"},
                          "sentence_embedding": {0: "b"}},
            opset_version=17, dynamo=False,
        )  # fmt: skip
    session = ort.InferenceSession(str(partial), providers=["CPUExecutionProvider"])
    inputs = {k: batch[k].numpy().astype("int64") for k in ("input_ids", "attention_mask")}
    exported = session.run(None, inputs)[0]
    exported = exported / np.linalg.norm(exported, axis=1, keepdims=True)
    cosine = float((exported * reference).sum(axis=1).min())
    if cosine < _MIN_PROBE_COSINE:
        partial.unlink(missing_ok=True)
        raise ModelError(f"ONNX export of {model_dir.name} differs from torch (cosine {cosine:.4f})")
    partial.replace(target)


def matmul_nodes(graph_nodes: list[tuple[str, str]], parts: tuple[str, ...]) -> list[str]:
    """The MatMul nodes whose names hold one of ``parts``, from (name, op type) pairs of a graph."""
    return [name for name, op in graph_nodes if op == "MatMul" and any(part in name for part in parts)]


def quantize(source: Path, target: Path, parts: tuple[str, ...] | None = None) -> None:
    """Dynamic int8 quantisation of an fp32 graph: every MatMul, or those named by ``parts`` only."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    nodes = None
    if parts is not None:
        graph = onnx.load(str(source), load_external_data=False).graph
        nodes = matmul_nodes([(n.name, n.op_type) for n in graph.node], parts)
        if not nodes:
            raise ModelError(f"{source}: no MatMul named by {parts} to quantise")
    partial = target.with_suffix(".partial")
    quantize_dynamic(str(source), str(partial), weight_type=QuantType.QInt8, nodes_to_quantize=nodes)
    partial.replace(target)


def ensure_onnx(model_dir: Path, precision: Precision) -> Path:
    """The exported graph for ``precision``, exported (and quantised) on first use: ~1 min, 1.5 GB."""
    folder = onnx_dir(model_dir)
    fp32 = folder / "model.onnx"
    wanted = folder / FILES[precision]
    with _EXPORT_LOCK:
        try:
            if not fp32.is_file():
                log.info("exporting %s to ONNX (once)", model_dir.name)
                _export_fp32(model_dir, fp32)
            if not wanted.is_file():
                log.info("quantising %s to %s (once)", model_dir.name, precision)
                quantize(fp32, wanted, MIXED_INT8 if precision == "int8-mixed" else None)
        except OSError as exc:  # a full disk: ~1.5 GB are written here
            raise ModelError(f"ONNX export into {folder} failed: {exc.strerror or exc}") from exc
    return wanted


class OnnxEmbeddings(Embeddings):
    """The exported EmbeddingGemma graph run by ONNX Runtime, with the model's query/document prompts."""

    def __init__(
        self,
        model_dir: str,
        *,
        name: str,
        precision: Precision = "fp32",
        batch_size: int = 16,
        max_seq_length: int = 512,
        threads: int = 0,
        graph: Path | None = None,
    ) -> None:
        """``graph`` runs that graph file instead of the cached export for ``precision`` (experiments)."""
        self.model_dir = Path(model_dir)
        self.graph = graph
        self.precision = precision
        self.model_name = f"{name}-onnx" + ("" if precision == "fp32" else f"-{precision}")
        self.batch_size = batch_size
        self.max_seq_length = max_seq_length
        self.threads = threads
        self._session: Any = None
        self._tokenizer: Any = None
        config = self.model_dir / "config_sentence_transformers.json"
        prompts = json.loads(config.read_text()).get("prompts", {}) if config.is_file() else {}
        self.query_prompt = str(prompts.get("query", ""))
        self.document_prompt = str(prompts.get("document", ""))

    def _load(self) -> None:
        if self._session is not None:
            return
        import onnxruntime as ort
        from transformers import AutoTokenizer

        path = self.graph or ensure_onnx(self.model_dir, self.precision)
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        if self.threads:
            options.intra_op_num_threads = self.threads
        self._tokenizer = AutoTokenizer.from_pretrained(str(self.model_dir))
        self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def _encode(self, texts: list[str]) -> list[list[float]]:
        import numpy as np

        self._load()
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # little padding per batch
        rows: list[Any] = [None] * len(texts)
        for start in range(0, len(order), self.batch_size):
            picked = order[start : start + self.batch_size]
            batch = self._tokenizer(
                [texts[i] for i in picked], padding=True, truncation=True,
                max_length=self.max_seq_length, return_tensors="np",
            )  # fmt: skip
            inputs = {k: batch[k].astype("int64") for k in ("input_ids", "attention_mask")}
            vectors = self._session.run(None, inputs)[0]
            vectors = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
            for i, vector in zip(picked, vectors, strict=True):
                rows[i] = vector
        return [[float(x) for x in row] for row in rows]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encode([self.document_prompt + t for t in texts]) if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self._encode([self.query_prompt + text])[0]
