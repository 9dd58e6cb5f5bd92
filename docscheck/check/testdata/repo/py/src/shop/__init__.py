"""The shop package."""

from shop.report import TestReport
