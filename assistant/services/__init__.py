"""Services with typed inputs and outputs, used by every edge (CLI, web app) and by the evaluation."""
