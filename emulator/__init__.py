"""A local stand-in for API Gateway (REST), Lambda and the AWS services a SAM app calls.

The emulator reads a SAM template and reaches handlers only through the template's
``Handler`` strings, inside worker processes: it never imports application code.
"""

__version__ = "0.1.0"
