"""Stage 2, checks of the book and of its build.

That the three frameworks' versions of each network are one network
(`equivalence/`), timings of execution and of the d2l input pipelines
(`bench`), of the writer's loop (`writer_loop`), and that the scripts keep
their layering (`layers`).
"""
