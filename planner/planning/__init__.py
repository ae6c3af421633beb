"""The reverse question: the cheapest builds that run a model at a target speed."""
