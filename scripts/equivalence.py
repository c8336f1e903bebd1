"""The name the book's vgg-equivalence pages import (their code cells and
their front matter's `reads:`): the equivalence check lives in
scripts/checks/equivalence/. This alias stays until those pages name the
package themselves.
"""
import sys

from scripts.checks import equivalence

sys.modules[__name__] = equivalence
