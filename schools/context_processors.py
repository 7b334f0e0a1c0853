from .access import get_access


def access(request):
    """Expose the user's access to templates for navigation only; views decide permissions."""
    return {"access": get_access(getattr(request, "user", None))}
