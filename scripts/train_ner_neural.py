"""Train marsad's neural named-entity tagger (char CNN + word BiLSTM + CRF) on ANERcorp.

Training-only requirements (PyTorch and gensim never become dependencies of marsad, which
runs the exported weights in numpy — ``marsad.facts.ner_neural``)::

    python3 -m venv .venv-train
    .venv-train/bin/pip install torch
    .venv-train/bin/pip install numpy scipy gensim pystemmer python-crfsuite threadpoolctl

Run from the repository root (data under ../shared/data, never needed at run time; one
thread each — ``--threads`` — two runs side by side on two cores)::

    T="env PYTHONPATH=src .venv-train/bin/python scripts/train_ner_neural.py"
    $T embeddings                            # ANT word vectors (5 min), cached in --cache
    $T dev --seed 1 --name s1                # head 85% of train, dev F1 after each epoch
    $T combine-dev --models s1 s2            # networks of dev runs averaged, scored on dev
    $T ensemble-dev --name s1                # + the CRF's marginals, weights 0..1, on dev
    $T final --seed 1; $T final --seed 2     # all of train, 30 epochs (~15 min each)
    $T ship --seeds 1 2                      # -> src/marsad/facts/models/ner_neural.npz,
                                             #    scored once on the test split

Steps: ``embeddings`` learns 100-dim skip-gram vectors (gensim word2vec, window 5, words
seen >= 5 times: 70,395 words) from the unlabeled ANT corpus v2.1 (Chouigui et al., AICCSA
2017). Training first fits a character CNN to reproduce those vectors (held-out cosine
.72), which then gives a vector to every word ANT lacks (16% of ANERcorp tokens, 20% of
its test names). ``dev`` trains on the head 85% of the ANERcorp train sentences and scores
the tail 15% (as ``scripts/train_ner.py`` does) after each epoch, in numpy through the
exported file, i.e. exactly what marsad runs. The network reads per token the word's and
its clitic-free base's vectors, a 50-filter character CNN, and the CRF's gazetteer hit,
trigger types, ANT cluster and «ال»-ratio bucket; a 100-unit BiLSTM feeds a CRF restricted
to valid BIO paths (Adam 1e-3, batches of 16 sentences, dropout 0.5).

Measured (entity F1 on the dev split, sentence by sentence / with the document consistency
marsad applies; CRF: .741 / .744):

* one network, seed 1: best .780 / .784 (epoch 22), .772 / .770 at epoch 30; seed 2: best
  .774 / .783 (epoch 30) (both in runs that fitted the character predictor first, which
  drew other initial weights; the code now reseeds before the network). Without the
  character-predicted vectors: best .772 / .772 (epoch 22 of 25).
* two networks averaged (best epochs): .787 / .795 with their scores (emissions and
  transitions) averaged, .784 / .782 with their tag probabilities averaged; both at epoch 35
  (singles .764 / .759 and .765 / .773): .778 / .780 and .780 / .773.
* with the CRF (log marginals, neural weight 0.3 / 0.5 / 0.7 / 1): .759 / .771 / .782 /
  .782 — no gain, not used.
* tried and dropped: 200 LSTM units (best .766 by epoch 19, twice the time); sentences read
  in sequences of up to 80 tokens with their neighbours (best .775); singleton dropout —
  a word seen once reads its character-predicted vector with p 0.5 — (.773 by epoch 25);
  penalising O at decoding (-0.5 .. -3 in log space: .782 → .771 .. .694); shipping the
  mean of the weights after each epoch from epoch 15 on (``--swa-from 15``): steadier
  (.775-.778 from epoch 23 on) but no higher, and two such networks averaged .773 / .778;
  vectors for words seen >= 2 times in ANT (``--min-count 2``: 126,011 words, predictor
  cosine .815, a 14 MB file): epochs 21-30 average .772 with consistency against .775.

Test (ANERcorp test split, scored once per candidate): two networks, seeds 1 and 2, 30
epochs on all of train, probabilities averaged: .755 / .765; scores averaged: .760 / .771.
The shipped file is those two networks retrained with this script as it stands (its
character predictor now batches words, which moves the inputs in the last float bits, so
the weights differ): .760 / .771 (P .815, R .732; PERS .773, LOC .882, ORG .663, MISC
.592); the CRF: .722 / .739. Two runs of ``final --seed 1`` give identical files (checked).
File: 8.5 MB (int8 word vectors with a float16 scale per row, float16 weights).
Speed (``python -m benchmarks ner``, one core): 14-17k tokens/s on ANERcorp test (CRF
49-52k); ``find_mentions`` 42-46 ANT articles/s (CRF alone 107-111).
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

import numpy as np  # noqa: E402

import train_ner as T  # noqa: E402
from marsad.facts import entities as ner  # noqa: E402
from marsad.facts import ner_neural as nn_rt  # noqa: E402

MODELS = ROOT / "src" / "marsad" / "facts" / "models"
CACHE = ROOT / ".cache" / "ner_neural"

# Word vectors: skip-gram, 100 dimensions, window 5, words seen >= 5 times in ANT,
# 5 epochs (gensim defaults otherwise).
EMB_DIM = 100
EMB_MIN_COUNT = 5

# Network and training settings, chosen on the dev split (see "Measured").
HIDDEN = 100
DROPOUT = 0.5
LR = 1e-3
BATCH = 16
EPOCHS = 30
SEEDS = (1, 2, 3)
CHUNK = 0
SINGLETON_DROP = 0.0
SWA_FROM = 0


def _ant_sentences():
    with gzip.open(T.ANT, "rt", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            for part in (rec.get("title") or "", rec.get("text") or ""):
                for para in part.split("\n"):
                    ws = T._ant_words(para)
                    if len(ws) >= 2:
                        yield ws


def build_embeddings(cache: Path, workers: int, min_count: int = 5) -> None:
    from gensim.models import Word2Vec

    t0 = time.perf_counter()
    sents = list(_ant_sentences())
    n = sum(len(s) for s in sents)
    print(f"ANT: {len(sents):,} paragraphs, {n:,} words ({time.perf_counter() - t0:.0f} s)", flush=True)
    m = Word2Vec(sents, vector_size=EMB_DIM, window=5, min_count=min_count, sg=1,
                 negative=10, epochs=5, workers=workers, seed=1)
    cache.mkdir(parents=True, exist_ok=True)
    words = list(m.wv.index_to_key)  # most frequent first
    np.save(cache / "w2v_vectors.npy", m.wv.vectors.astype(np.float32))
    (cache / "w2v_words.txt").write_text("\n".join(words) + "\n", encoding="utf-8")
    print(f"word2vec: {len(words):,} words x {EMB_DIM} ({time.perf_counter() - t0:.0f} s)")


# ---------------------------------------------------------------------------------------
# model
# ---------------------------------------------------------------------------------------

# Shipped vocabulary: the most frequent ANT words with a vector (int8, one scale per row).
N_WORDS = 80_000


def load_vectors(cache: Path, n_words: int) -> tuple[list[str], np.ndarray, np.ndarray]:
    words = (cache / "w2v_words.txt").read_text(encoding="utf-8").splitlines()[:n_words]
    vec = np.load(cache / "w2v_vectors.npy")[: len(words)]
    scale = np.abs(vec).max(1) / 127.0
    scale = np.maximum(scale, 1e-8).astype(np.float16)
    q = np.clip(np.round(vec / scale.astype(np.float32)[:, None]), -127, 127).astype(np.int8)
    return words, q, scale


def char_vocab(words: list[str], sents) -> list[str]:
    """Characters seen >= 5 times in the ANT vocabulary or >= 2 times in ANERcorp train,
    plus the word-boundary marks of the vector predictor."""
    from collections import Counter

    from marsad.text.normalize import GAP, normalize

    ant = Counter()
    for w in words:
        ant.update(w)
    cnt = Counter()
    for toks, _ in sents:
        for t in toks:
            cnt.update(normalize(t).replace(GAP, "").lower() or t)
    keep = {c for c, n in ant.items() if n >= 5} | {c for c, n in cnt.items() if n >= 2}
    keep -= {"\n", nn_rt.BOW, nn_rt.EOW}
    return [nn_rt.BOW, nn_rt.EOW] + sorted(keep)


# The vector predictor for words without an ANT vector: 32-dim characters, 100 filters per
# width, trained for MM_EPOCHS over the vocabulary (mean squared error to the ANT vectors).
MM_CHAR_DIM = 32
MM_FILTERS = 100
MM_EPOCHS = 15
MM_SEED = 1  # one predictor shared by the networks of every seed


def train_mimick(words: list[str], emb: np.ndarray, chars: list[str], seed: int) -> dict[str, np.ndarray]:
    """Fit (or load from the cache) the character-to-vector predictor; float16-rounded weights."""
    import random

    import torch
    import torch.nn as tnn

    torch.manual_seed(seed)
    cmap = {c: i + 2 for i, c in enumerate(chars)}
    ids = torch.from_numpy(nn_rt.mimick_ids([nn_rt.word_key(w) for w in words], cmap))
    target = torch.from_numpy(emb[2:])

    class Mimick(tnn.Module):
        def __init__(self):
            super().__init__()
            self.emb = tnn.Embedding(len(chars) + 2, MM_CHAR_DIM, padding_idx=0)
            self.convs = tnn.ModuleList(tnn.Conv1d(MM_CHAR_DIM, MM_FILTERS, k) for k in nn_rt.MIMICK_WIDTHS)
            self.out = tnn.Linear(MM_FILTERS * len(nn_rt.MIMICK_WIDTHS), emb.shape[1])

        def forward(self, x):
            e = self.emb(x).transpose(1, 2)
            n = (x > 0).sum(1)
            hs = []
            for k, conv in zip(nn_rt.MIMICK_WIDTHS, self.convs):
                c = conv(e)
                P = c.shape[2]
                valid = torch.arange(P)[None, :] < (n - k + 1).clamp(1, P)[:, None]
                hs.append(c.masked_fill(~valid[:, None, :], float("-inf")).max(2).values.relu())
            return self.out(torch.cat(hs, 1))

    m = Mimick()
    opt = torch.optim.Adam(m.parameters(), lr=2e-3)
    order = list(range(len(words)))
    rng = random.Random(seed)
    rng.shuffle(order)
    held = order[: len(order) // 50]  # 2% held out to report the fit
    train_ix = order[len(order) // 50:]
    t0 = time.perf_counter()
    for ep in range(MM_EPOCHS):
        rng.shuffle(train_ix)
        m.train()
        for b in range(0, len(train_ix), 256):
            bi = torch.tensor(train_ix[b:b + 256])
            loss = ((m(ids[bi]) - target[bi]) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
        m.eval()
        with torch.no_grad():
            h = torch.tensor(held)
            pred = m(ids[h])
            cos = torch.nn.functional.cosine_similarity(pred, target[h]).mean()
        print(f"mimick epoch {ep + 1}: held-out cosine {float(cos):.3f} ({time.perf_counter() - t0:.0f} s)",
              flush=True)
    sd = {k: v.detach().numpy() for k, v in m.state_dict().items()}
    out = {"mm_char_emb": sd["emb.weight"], "mm_out_w": sd["out.weight"], "mm_out_b": sd["out.bias"]}
    for i, k in enumerate(nn_rt.MIMICK_WIDTHS):
        out[f"mm_conv{k}_w"] = sd[f"convs.{i}.weight"]
        out[f"mm_conv{k}_b"] = sd[f"convs.{i}.bias"]
    out = {k: v.astype(np.float16).astype(np.float32) for k, v in out.items()}
    # the numpy predictor marsad runs gives what the network gives (up to float16 rounding)
    with torch.no_grad():
        ref = m(ids[torch.tensor(held[:200])]).numpy()
    got = nn_rt.mimick(out, ids[torch.tensor(held[:200])].numpy())
    print(f"mimick numpy vs torch: max |diff| {np.abs(ref - got).max():.4f} (vectors up to {np.abs(ref).max():.2f})")
    return out


def make_net(dim: int, n_chars: int, cfg):
    import torch
    import torch.nn as tnn

    K = len(nn_rt.TAGS)

    class Net(tnn.Module):
        def __init__(self):
            super().__init__()
            self.char_emb = tnn.Embedding(n_chars + 2, cfg.char_dim, padding_idx=0)
            self.char_conv = tnn.Conv1d(cfg.char_dim, cfg.char_filters, 3, padding=1)
            self.gaz_emb = tnn.Embedding(len(nn_rt.GAZ), 8)
            self.al_emb = tnn.Embedding(len(nn_rt.AL), 4)
            self.shape_emb = tnn.Embedding(len(nn_rt.SHAPES), 4)
            self.clu_emb = tnn.Embedding(nn_rt.N_CLUSTERS + 1, 16)
            d_in = 2 * dim + cfg.char_filters + 8 + len(nn_rt.TRIG) + 4 + 4 + 16
            self.drop = tnn.Dropout(cfg.dropout)
            self.lstm = tnn.LSTM(d_in, cfg.hidden, batch_first=True, bidirectional=True)
            self.out = tnn.Linear(2 * cfg.hidden, K)
            self.trans = tnn.Parameter(torch.zeros(K, K))
            self.start = tnn.Parameter(torch.zeros(K))
            self.end = tnn.Parameter(torch.zeros(K))
            self.register_buffer("ok", torch.tensor(nn_rt.allowed_transitions()))
            self.register_buffer("ok_start", torch.tensor(nn_rt.allowed_starts()))

        def emissions(self, x):
            B, T, L = x["char"].shape
            ch = self.char_emb(x["char"].view(B * T, L)).transpose(1, 2)  # N, C, L
            conv = self.char_conv(ch)  # N, F, L
            clen = (x["char"].view(B * T, L) > 0).sum(-1).clamp(min=1)
            valid = torch.arange(L)[None, :] < clen[:, None]
            conv = conv.masked_fill(~valid[:, None, :], float("-inf")).max(2).values.relu()
            h = torch.cat([x["vec"], conv.view(B, T, -1),
                           self.gaz_emb(x["gaz"]), x["trig"], self.al_emb(x["al"]),
                           self.shape_emb(x["shape"]), self.clu_emb(x["clu"])], -1)
            h = self.drop(h)
            lengths = x["mask"].sum(1)
            packed = tnn.utils.rnn.pack_padded_sequence(h, lengths.cpu(), batch_first=True,
                                                        enforce_sorted=False)
            o, _ = self.lstm(packed)
            o, _ = tnn.utils.rnn.pad_packed_sequence(o, batch_first=True, total_length=T)
            return self.out(self.drop(o))

        def nll(self, x, tags):
            em = self.emissions(x)
            mask = x["mask"]
            B, T, K_ = em.shape
            trans = self.trans.masked_fill(~self.ok, -1e4)
            start = self.start.masked_fill(~self.ok_start, -1e4)
            ar = torch.arange(B)
            gold = start[tags[:, 0]] + em[ar, 0, tags[:, 0]]
            alpha = start[None] + em[:, 0]
            for t in range(1, T):
                m = mask[:, t]
                gold = gold + (trans[tags[:, t - 1], tags[:, t]] + em[ar, t, tags[:, t]]) * m
                nxt = torch.logsumexp(alpha[:, :, None] + trans[None] + em[:, t, None, :], 1)
                alpha = torch.where(m[:, None], nxt, alpha)
            last = tags.gather(1, (mask.sum(1) - 1)[:, None])[:, 0]
            gold = gold + self.end[last]
            Z = torch.logsumexp(alpha + self.end[None], 1)
            return (Z - gold).mean()

    return Net()


def export(net, words, q, scale, chars, mm, path: Path, chunk: int = 0) -> None:
    sd = {k: v.detach().numpy() for k, v in net.state_dict().items()}
    arr = {
        "words": np.frombuffer("\n".join(words).encode("utf-8"), np.uint8),
        "chars": np.frombuffer("\n".join(chars).encode("utf-8"), np.uint8),
        "emb_q": q, "emb_scale": scale, "chunk": np.array(chunk, np.int32),
        "char_emb": sd["char_emb.weight"], "char_conv_w": sd["char_conv.weight"],
        "char_conv_b": sd["char_conv.bias"], "gaz_emb": sd["gaz_emb.weight"],
        "al_emb": sd["al_emb.weight"], "shape_emb": sd["shape_emb.weight"],
        "clu_emb": sd["clu_emb.weight"],
        "lstm_wi_f": sd["lstm.weight_ih_l0"], "lstm_wh_f": sd["lstm.weight_hh_l0"],
        "lstm_b_f": sd["lstm.bias_ih_l0"] + sd["lstm.bias_hh_l0"],
        "lstm_wi_b": sd["lstm.weight_ih_l0_reverse"], "lstm_wh_b": sd["lstm.weight_hh_l0_reverse"],
        "lstm_b_b": sd["lstm.bias_ih_l0_reverse"] + sd["lstm.bias_hh_l0_reverse"],
        "out_w": sd["out.weight"], "out_b": sd["out.bias"],
        "trans": sd["trans"], "start": sd["start"], "end": sd["end"],
    }
    arr.update(mm or {})
    for k, v in list(arr.items()):
        if v.dtype == np.float32:
            arr[k] = v.astype(np.float16)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arr)


SHARED_ARRAYS = ("words", "chars", "emb_q", "emb_scale", "chunk")


def combine(paths: list[Path], out: Path) -> None:
    """One weights file holding several networks (``k0_``, ``k1_`` ...) that were trained
    with the same word vectors, characters and vector predictor."""
    zs = [np.load(p) for p in paths]
    arr = {k: zs[0][k] for k in zs[0].files if k in SHARED_ARRAYS or k.startswith("mm_")}
    for i, z in enumerate(zs):
        for k in z.files:
            if k in SHARED_ARRAYS or k.startswith("mm_"):
                if not np.array_equal(z[k], arr[k]):
                    raise SystemExit(f"{paths[i]}: {k} differs from {paths[0]}")
            else:
                arr[f"k{i}_{k}"] = z[k]
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, **arr)


def to_torch(x):
    import torch

    return {k: torch.from_numpy(v) for k, v in x.items()}


def tag_docs(tagger, sents) -> list[list[str]]:
    """Tag ``sents`` the way marsad does at run time: windows of DOC_SENTENCES as documents."""
    W = ner.DOC_SENTENCES
    out = []
    for w in range(0, len(sents), W):
        out.extend(tagger.tag_sentences([toks for toks, _ in sents[w:w + W]]))
    return out


def evaluate(name: str, tagger, sents, verbose: bool = False) -> tuple[float, float]:
    gold = [y for _, y in sents]
    pred = tag_docs(tagger, sents)
    a = T.score(gold, pred)
    b = T.score(gold, T.consistent(sents, pred))
    if verbose:
        T.report(f"{name}, sentence by sentence", a)
        T.report(f"{name}, with document consistency (as marsad tags)", b)
    return a["ALL"][2], b["ALL"][2]


def chunk_sentences(sents, chunk: int):
    """Consecutive sentences joined into sequences of up to ``chunk`` tokens (a longer
    sentence stays alone), within windows of DOC_SENTENCES as at run time; 0: unchanged."""
    if not chunk:
        return sents
    out = []
    W = ner.DOC_SENTENCES
    for w in range(0, len(sents), W):
        cur_t, cur_y = [], []
        for toks, tags in sents[w:w + W]:
            if cur_t and len(cur_t) + len(toks) > chunk:
                out.append((cur_t, cur_y))
                cur_t, cur_y = [], []
            cur_t = cur_t + list(toks)
            cur_y = cur_y + list(tags)
        if cur_t:
            out.append((cur_t, cur_y))
    return out


def fit_model(cfg, train_sents, eval_sents, epochs: int, out: Path):
    """Train; after each epoch export to ``out`` and (when eval_sents) score it in numpy."""
    import random

    import torch

    torch.manual_seed(cfg.seed)
    rng = random.Random(cfg.seed)
    words, q, scale = load_vectors(cfg.cache, cfg.words)
    emb = np.vstack([np.zeros((2, q.shape[1]), np.float32),
                     q.astype(np.float32) * scale.astype(np.float32)[:, None]])
    chars = char_vocab(words, T.read_anercorp(T.TRAIN))
    mm = None
    if cfg.mimick:
        f = cfg.cache / f"mimick_{len(words)}.npz"
        if f.exists():
            mm = dict(np.load(f))
        else:
            mm = train_mimick(words, emb, chars, MM_SEED)
            np.savez(f, **mm)
    enc = nn_rt.Encoder(words, chars, emb, mm)
    torch.manual_seed(cfg.seed)  # the same start whether the predictor was fitted or loaded
    net = make_net(emb.shape[1], len(chars), cfg)
    opt = torch.optim.Adam([p for p in net.parameters() if p.requires_grad], lr=cfg.lr)
    tag_id = {t: i for i, t in enumerate(nn_rt.TAGS)}
    data = []
    for toks, tags in chunk_sentences(train_sents, cfg.chunk):
        data.append((toks, [tag_id[t] for t in ner._repair_bio(tags)]))
    t0 = time.perf_counter()
    # encode once: every batch is a slice of the same per-sentence arrays
    xs = [enc.batch([toks]) for toks, _ in data]
    # Singleton dropout (as Lample et al. 2016 do with an unknown-word vector): a word seen
    # once in training reads, with probability cfg.singleton_drop, the vector predicted from
    # its characters instead of its own ANT vector — as unseen names read at test time.
    swaps = []
    if cfg.singleton_drop > 0 and mm is not None:
        from collections import Counter

        enc_mm = nn_rt.Encoder([], chars, emb[:2], mm)  # every word through the predictor
        freq = Counter(ner.norm_word(t) for toks, _ in data for t in toks)
        for toks, _ in data:
            known = np.array([[freq[ner.norm_word(t)] == 1 and
                               nn_rt.word_key(ner.norm_word(t)) in enc.words for t in toks]])
            swaps.append((known, enc_mm.batch([toks])["vec"]))
    nprng = np.random.default_rng(cfg.seed)
    print(f"encoded {len(data)} sentences ({time.perf_counter() - t0:.0f} s)", flush=True)
    history = []
    avg: dict = {}
    n_avg = 0
    for ep in range(1, epochs + 1):
        net.train()
        t1 = time.perf_counter()
        order = list(range(len(data)))
        rng.shuffle(order)
        chunk = cfg.batch * 50
        batches = []
        for c in range(0, len(order), chunk):
            part = sorted(order[c:c + chunk], key=lambda i: len(data[i][0]))
            batches += [part[k:k + cfg.batch] for k in range(0, len(part), cfg.batch)]
        rng.shuffle(batches)
        total = 0.0
        for bi in batches:
            Tm = max(len(data[i][0]) for i in bi)
            x = {}
            for k in xs[bi[0]]:
                arrs = []
                for i in bi:
                    a = xs[i][k]
                    if k == "vec" and swaps:
                        known, alt = swaps[i]
                        pick = known & (nprng.random(known.shape) < cfg.singleton_drop)
                        a = np.where(pick[..., None], alt, a)
                    pad = [(0, 0)] * a.ndim
                    pad[1] = (0, Tm - a.shape[1])
                    arrs.append(np.pad(a, pad))
                x[k] = np.concatenate(arrs, 0)
            tags = np.zeros((len(bi), Tm), np.int64)
            for r, i in enumerate(bi):
                tags[r, : len(data[i][1])] = data[i][1]
            loss = net.nll(to_torch(x), torch.from_numpy(tags))
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 5.0)
            opt.step()
            total += loss.item() * len(bi)
        net.eval()
        shipped = net
        if cfg.swa_from and ep >= cfg.swa_from:
            # the running mean of the weights after each epoch from cfg.swa_from on
            import copy

            n_avg += 1
            for k, v in net.state_dict().items():
                if v.is_floating_point():
                    avg[k] = v.clone() if n_avg == 1 else avg[k] + (v - avg[k]) / n_avg
            shipped = copy.deepcopy(net)
            shipped.load_state_dict({**net.state_dict(), **avg})
        export(shipped, words, q, scale, chars, mm, out, cfg.chunk)
        msg = f"epoch {ep}: loss {total / len(data):.3f} ({time.perf_counter() - t1:.0f} s)"
        if eval_sents is not None:
            f_sent, f_doc = evaluate("dev", nn_rt.NeuralTagger(out), eval_sents)
            if not history or f_doc > max(history)[0]:
                import shutil

                shutil.copyfile(out, out.with_name(out.stem + "_best.npz"))
            history.append((f_doc, ep))
            msg += f"  dev F1 {f_sent:.3f} / {f_doc:.3f} with consistency"
        print(msg, flush=True)
    return history


def crf_marginals(model: Path, sents) -> list[np.ndarray]:
    """Per-token tag probabilities of the CRF (T x K per sentence, columns in TAGS order)."""
    import pycrfsuite

    tg = pycrfsuite.Tagger()
    tg.open(str(model))
    labels = set(tg.labels())
    out = []
    for toks, _ in sents:
        tg.set(ner.sentence_features(toks))
        m = np.zeros((len(toks), len(nn_rt.TAGS)))
        for k, t in enumerate(nn_rt.TAGS):
            if t in labels:
                m[:, k] = [tg.marginal(t, i) for i in range(len(toks))]
        out.append(m)
    return out


def neural_marginals(tagger, sents) -> list[np.ndarray]:
    W = ner.DOC_SENTENCES
    out = []
    for w in range(0, len(sents), W):
        out.extend(tagger.sentence_marginals([toks for toks, _ in sents[w:w + W]]))
    return out


def ensemble_tags(mn, mc, weight: float) -> list[list[str]]:
    """Valid BIO paths through weight * log p_neural + (1 - weight) * log p_crf."""
    out = []
    for a, b in zip(mn, mc):
        sc = weight * np.log(a + 1e-9) + (1 - weight) * np.log(b + 1e-9)
        out.append([nn_rt.TAGS[k] for k in nn_rt.best_bio_path(sc)])
    return out


def ensemble_report(name, sents, mn, mc, weights, verbose=False):
    gold = [y for _, y in sents]
    for wgt in weights:
        pred = ensemble_tags(mn, mc, wgt)
        a = T.score(gold, pred)
        b = T.score(gold, T.consistent(sents, pred))
        print(f"{name} weight {wgt}: F1 {a['ALL'][2]:.3f} / {b['ALL'][2]:.3f} with consistency", flush=True)
        if verbose:
            T.report(f"{name} ensemble (weight {wgt}), with document consistency", b)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("step", choices=["embeddings", "dev", "ensemble-dev", "combine-dev", "final", "ship"])
    ap.add_argument("--seeds", type=int, nargs="*", default=list(SEEDS),
                    help="ship: the seeds of the final networks to average")
    ap.add_argument("--models", nargs="*", default=[],
                    help="combine-dev: names of dev runs in --cache to average")
    ap.add_argument("--cache", type=Path, default=CACHE)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--words", type=int, default=N_WORDS)
    ap.add_argument("--min-count", type=int, default=EMB_MIN_COUNT, help="embeddings: rarest word kept")
    ap.add_argument("--epochs", type=int, default=EPOCHS)
    ap.add_argument("--hidden", type=int, default=HIDDEN)
    ap.add_argument("--char-dim", type=int, default=25)
    ap.add_argument("--char-filters", type=int, default=50)
    ap.add_argument("--dropout", type=float, default=DROPOUT)
    ap.add_argument("--lr", type=float, default=LR)
    ap.add_argument("--batch", type=int, default=BATCH)
    ap.add_argument("--no-mimick", dest="mimick", action="store_false",
                    help="words without an ANT vector share the unknown vector")
    ap.add_argument("--singleton-drop", type=float, default=SINGLETON_DROP)
    ap.add_argument("--swa-from", type=int, default=SWA_FROM,
                    help="ship the mean of the weights after each epoch from this one on (0: off)")
    ap.add_argument("--chunk", type=int, default=CHUNK,
                    help="read consecutive sentences as one sequence of up to this many tokens")
    ap.add_argument("--name", default="dev", help="file name of the dev-run model in --cache")
    ap.add_argument("--out", type=Path, default=MODELS / "ner_neural.npz")
    args = ap.parse_args(argv)
    if args.step == "embeddings":
        build_embeddings(args.cache, args.threads, args.min_count)
        return 0
    import torch

    torch.set_num_threads(args.threads)
    sents = T.read_anercorp(T.TRAIN)
    n_dev = int(len(sents) * T.DEV_FRACTION)
    if args.step == "ensemble-dev":
        # the neural model chosen on dev and a CRF trained on the same head 85% of train
        dev = sents[-n_dev:]
        crf = args.cache / "crf_fit.crfsuite"
        if not crf.exists():
            T.train(sents[:-n_dev], T.featurize(sents[:-n_dev]), crf, T.C1, T.C2, T.ITERS)
        mc = crf_marginals(crf, dev)
        mn = neural_marginals(nn_rt.NeuralTagger(args.cache / f"{args.name}_best.npz"), dev)
        ensemble_report("dev", dev, mn, mc, (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 1.0))
        return 0
    if args.step == "combine-dev":
        dev = sents[-n_dev:]
        out = args.cache / ("+".join(args.models) + ".npz")
        combine([args.cache / f"{m}_best.npz" for m in args.models], out)
        tg = nn_rt.NeuralTagger(out)
        print(f"{len(tg.models)} networks, {out.stat().st_size / 1e6:.1f} MB")
        evaluate("dev " + "+".join(args.models), tg, dev, verbose=True)
        return 0
    if args.step == "dev":
        fit, dev = sents[:-n_dev], sents[-n_dev:]
        tmp = args.cache / f"{args.name}.npz"
        hist = fit_model(args, fit, dev, args.epochs, tmp)
        best = max(hist)
        print(f"best dev F1 {best[0]:.3f} (with consistency) at epoch {best[1]}")
        return 0
    if args.step == "final":
        t0 = time.perf_counter()
        out = args.cache / f"final_s{args.seed}.npz"
        fit_model(args, sents, None, args.epochs, out)
        print(f"model: {out} (trained in {time.perf_counter() - t0:.0f} s on all {len(sents)} "
              f"train sentences)")
        return 0
    # ship: the final networks of --seeds in one file, scored once on test
    combine([args.cache / f"final_s{s}.npz" for s in args.seeds], args.out)
    tg = nn_rt.NeuralTagger(args.out)
    print(f"wrote {args.out}: {len(tg.models)} networks, {args.out.stat().st_size / 1e6:.1f} MB")
    test = T.read_anercorp(T.TEST)
    evaluate("test", tg, test, verbose=True)
    return 0

if __name__ == "__main__":
    raise SystemExit(main())
