"""Print the book's speed figures side by side and write them to
`_build/bench.json`.

1. Execution time of every page per framework, run once for both editions
   (the executed notebooks of the chosen profile; run `make book` first).
2. PyTorch, the chapter's VGG-11 on the same data and device, two input
   pipelines for the same number of epochs: the textbook's (each image
   resized on its own in a DataLoader with worker processes, fp32) and the
   `d2l` package's `train_ch6`, both timed as train_ch6 defines
   examples/sec. On a CUDA GPU this is the full training set for 10 epochs;
   on a CPU the quick profile's subset for one.
"""
from __future__ import annotations

import argparse
import json
import os
import time

import nbformat

from scripts.environment import book, machine, profiles
from scripts.pipeline.split import ALL


def execution_times(request: str) -> list[dict]:
    rows = []
    for page in book.pages():
        for name in (*book.FRAMEWORKS, ALL):
            profile = profiles.resolve_profile(request, name, page)
            path = book.executed_path(profile, page, name)
            if path.exists():
                meta = nbformat.read(path, as_version=4).metadata.get("d2l", {})
                rows.append({"page": page, "notebook": name, "profile": profile,
                             "device": meta.get("stamp", {}).get("device"), "seconds": meta.get("seconds")})
    return rows


def shown(row: dict | None) -> str:
    if not row or row["seconds"] is None:
        return ""
    return f"{row['seconds']:.1f}" + ("*" if row["profile"] == "full" else " ")


# What `_config.yml`'s full_on_cpu may cost on a 2-core CPU: per page (its
# listed frameworks together) and for all listed pages.
PAGE_BUDGET, TOTAL_BUDGET = 8 * 60, 12 * 60


def full_on_cpu_budget(rows: list[dict]) -> None:
    """Print the full-profile CPU seconds of the pages run in full on a CPU,
    against their budget (measured only where they ran on the CPU)."""
    listed = profiles.full_on_cpu()
    if not listed:
        return
    print(f"Pages run in full on a CPU (_config.yml full_on_cpu; budget {PAGE_BUDGET} s per page, "
          f"{TOTAL_BUDGET} s in all)")
    total = 0.0
    for page, frameworks in listed.items():
        got = [r for r in rows if r["page"] == page and r["notebook"] in frameworks
               and r["profile"] == "full" and str(r["device"]).startswith("CPU")]
        if len(got) < len(frameworks):
            print(f"  {page:45}not measured on a CPU in the full profile (run `make book` on a CPU first)")
            continue
        seconds = sum(r["seconds"] or 0 for r in got)
        total += seconds
        verdict = "within budget" if seconds <= PAGE_BUDGET else "OVER BUDGET"
        print(f"  {page:45}{seconds:>8.1f} s  {verdict}  ({', '.join(sorted(frameworks))})")
    verdict = "within budget" if total <= TOTAL_BUDGET else "OVER BUDGET"
    print(f"  {'all listed pages':45}{total:>8.1f} s  {verdict}\n")


def textbook_run(net, images, labels, epochs, batch_size, lr, device, workers):
    """The textbook's pipeline and loop; returns the wall-clock seconds of
    each epoch, data loading included (the definition of d2l's train_ch6)."""
    import torch
    import torch.nn.functional as F
    from torch import nn

    class PerImage(torch.utils.data.Dataset):
        def __len__(self):
            return len(labels)

        def __getitem__(self, i):
            x = torch.tensor(images[i], dtype=torch.float32).div(255)[None, None]
            return F.interpolate(x, size=224, mode="bilinear", antialias=True)[0], int(labels[i])

    loader = torch.utils.data.DataLoader(PerImage(), batch_size, shuffle=True, num_workers=workers)
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    loss = nn.CrossEntropyLoss()
    net.train()
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    seconds = []
    for _ in range(epochs):
        sync()
        start = time.perf_counter()
        for X, y in loader:
            X, y = X.to(device), y.to(device)
            optimizer.zero_grad()
            loss(net(X), y).backward()
            optimizer.step()
        sync()
        seconds.append(time.perf_counter() - start)
    return seconds


def pipelines(epochs: int) -> dict:
    """Both pipelines for the same number of epochs on the same device."""
    import torch
    from torch import nn

    from d2l import _core, fashion_mnist
    from d2l import torch as d2l
    from scripts.checks.equivalence import chapter_namespace

    device = d2l.try_gpu()
    cuda = device.type == "cuda"
    if not cuda:
        os.environ["D2L_PROFILE"] = "quick"  # hours otherwise
        epochs = min(epochs, _core.QUICK_EPOCHS)  # as many as train_ch6 will run
    chapter = chapter_namespace("pytorch")
    images, labels, _ = fashion_mnist.load("train")

    def fresh_net():
        torch.manual_seed(0)
        net = chapter["vgg"](chapter["small_conv_arch"]).to(device)
        net(torch.zeros((1, 1, 224, 224), device=device))  # give LazyLinear its shape
        for m in net.modules():
            if isinstance(m, (nn.Linear, nn.Conv2d)):
                nn.init.xavier_uniform_(m.weight)
        return net

    # The textbook runs first, with PyTorch's defaults: train_ch6 turns on
    # cuDNN autotuning for the rest of the process.
    textbook = textbook_run(fresh_net(), images, labels, epochs, 128, 0.05, device,
                            4 if cuda else 2)
    train_iter, test_iter = d2l.load_data_fashion_mnist(128, resize=224)
    result = d2l.train_ch6(fresh_net(), train_iter, test_iter, epochs, 0.05, device)
    n = len(labels)
    textbook_speed = n * len(textbook) / sum(textbook)
    name = torch.cuda.get_device_name(device) if cuda else f"CPU: {machine.cpu_name()}"
    return {"device": name,
            "examples": n, "epochs": result.num_epochs,
            "textbook_examples_per_sec": round(textbook_speed, 1),
            "textbook_epoch_seconds": [round(t, 2) for t in textbook],
            "d2l_examples_per_sec": round(result.examples_per_sec, 1),
            "d2l_epoch_seconds": [round(t, 2) for t in result.epoch_seconds],
            "speedup": round(result.examples_per_sec / textbook_speed, 2),
            # Fastest epoch against fastest epoch: without one-off costs.
            "speedup_best_epoch": round(min(textbook) / min(result.epoch_seconds), 2),
            "d2l_test_acc": round(result.test_acc, 4), "d2l_loss": round(result.loss, 4)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile", default=None, help="whose execution times to show")
    parser.add_argument("--epochs", type=int, default=None,
                        help="epochs of each pipeline; default: 10 on a GPU "
                             "(as the chapter trains), else 1")
    args = parser.parse_args(argv)
    request = profiles.profile_request(args.profile)

    rows = execution_times(request)
    print(f"Execution time per page ({request} profile), seconds")
    names = (*book.FRAMEWORKS, ALL)
    print(f"{'page':45}" + "".join(f"{n:>12}" for n in names))
    for page in book.pages():
        cells = {r["notebook"]: r for r in rows if r["page"] == page}
        if cells:
            print(f"{page:45}" + "".join(f"{shown(cells.get(n)):>12}" for n in names))
    total = sum(r["seconds"] or 0 for r in rows)
    print(f"{'total':45}{total:>12.1f}")
    print("(* the full profile; the others quick)\n")
    full_on_cpu_budget(rows)

    cuda = machine.framework_sees_gpu("pytorch")
    speed = pipelines(args.epochs or (10 if cuda else 1))
    print(f"PyTorch VGG-11 (channels/4) on {speed['device']}, {speed['examples']:,} training "
          f"images, {speed['epochs']} epoch(s) each")
    for label, key in (("textbook pipeline (per-image resize, DataLoader, fp32)", "textbook"),
                       ("d2l pipeline (train_ch6)", "d2l")):
        epochs = ", ".join(f"{t:g}" for t in speed[f"{key}_epoch_seconds"])
        print(f"  {label:55}{speed[f'{key}_examples_per_sec']:>10,.1f} examples/sec"
              f"  (epochs: {epochs} s)")
    print(f"  speed-up: {speed['speedup']}x over all epochs, {speed['speedup_best_epoch']}x "
          f"fastest epoch against fastest epoch")
    print(f"  d2l after {speed['epochs']} epoch(s): loss {speed['d2l_loss']}, "
          f"test acc {speed['d2l_test_acc']}")
    out = book.BUILD / "bench.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"profile": request, "execution": rows, "total_seconds": round(total, 1),
                               "pytorch_pipelines": speed}, indent=2))
    print(f"\nwritten to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
