"""The conversational agent (Pydantic AI): deps, tools, output models, the built-in local model, the runtime.

Importing this package is cheap: only :mod:`core.agent.config` is loaded here. ``pydantic_ai`` (≈ 2.5 s to import)
is imported by :mod:`core.agent.tools`, :mod:`core.agent.local_model` and :mod:`core.agent.runtime`, which the engine
loads the first time a free-text message arrives — slash commands never pay for it.
"""

from core.agent.config import AgentConfig

__all__ = ["AgentConfig"]
