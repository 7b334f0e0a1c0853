from .models import Notification


def notifications(request):
    """The unread count in the navigation: one indexed COUNT per page for a logged-in user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": lambda: Notification.objects.filter(user=user, read_at=None).count()
    }
