"""The one place that defines scaffold's release: the version of the package and of
the template it carries (released as the git tag ``v<version>``), and the git URL
where the template is published, which generated projects record as ``_src_path``.

Kept free of imports: ``scaffold --version`` reads it at start-up.
"""

__version__ = "0.1.0"
TEMPLATE_URL = "https://github.com/your-org/scaffold.git"
