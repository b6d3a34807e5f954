"""Where the tests find the shared material: `../shared` beside the checkout, or FASTSAM_SHARED
(the same rule as test/support/paths.ts)."""
import os

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
SHARED_DIR = os.path.abspath(os.environ.get('FASTSAM_SHARED', os.path.join(REPO_ROOT, '..', 'shared')))


def shared_path(*parts: str) -> str:
    """A path inside the shared folder; raises a clear error if it is missing (tests fail, never skip)."""
    p = os.path.join(SHARED_DIR, *parts)
    if not os.path.exists(p):
        raise FileNotFoundError(f'shared material not found: {p} (set FASTSAM_SHARED to the shared folder)')
    return p


def golden_dir() -> str:
    return shared_path('docs', 'model-spec-golden')
