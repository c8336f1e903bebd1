"""Stage 2, the Colab notebooks: one per edition, framework and page.

Write them to notebooks/ from the book's sources (`export`) and run them as
Colab would, in fresh environments (`colab_check`).
"""
