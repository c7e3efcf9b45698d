"""assessor: is this AI integration ready for production, and what should we build first?"""

__version__ = "0.1.0"
