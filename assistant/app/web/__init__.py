"""The web app (Gradio): chat with one-click evidence, library, drafting, onboarding; an edge."""
