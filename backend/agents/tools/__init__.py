"""(placeholder until the tools branch merges)"""

from backend.agents.tools.base import AgentTool, DocumentInfo, PageInfo, Passage, ToolEnv, ToolError, ToolOutcome

TOOLS: dict[str, AgentTool] = {}

__all__ = ["TOOLS", "AgentTool", "DocumentInfo", "PageInfo", "Passage", "ToolEnv", "ToolError", "ToolOutcome"]
