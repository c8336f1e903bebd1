"""The book's build pipeline: parse, split, execute, merge, render, check."""
