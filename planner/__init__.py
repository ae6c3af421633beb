"""LLM Build Planner: what can my PC run, how fast, and what should I buy next?"""

__version__ = "0.1.0"
