from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from portal import account_views, api, help_views, security_views, views
from portal.webhooks import api as webhooks_api
from reporting import api as returns_api
from supervision import api as supervision_api

router = DefaultRouter()
router.register("offices", api.OfficeViewSet, basename="office")
router.register("institutions", api.InstitutionViewSet, basename="institution")
router.register("branches", api.BranchViewSet, basename="branch")
router.register("audit-events", api.AuditEventViewSet, basename="audit-event")
router.register("return-requests", returns_api.ReturnRequestViewSet, basename="return-request")
router.register("filings", returns_api.FilingViewSet, basename="filing")
router.register("specs", returns_api.SpecViewSet, basename="spec")
supervision_api.register(router)
webhooks_api.register(router)

api_urls: list[URLPattern | URLResolver] = [
    path("", include(router.urls)),
    path("me/", api.me, name="me"),
    path("token/", api.TokenView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/", login_required(SpectacularSwaggerView.as_view(url_name="api:schema")), name="docs"
    ),
    path(
        "redoc/", login_required(SpectacularRedocView.as_view(url_name="api:schema")), name="redoc"
    ),
]

# A URL under /api/ that no route takes answers JSON, as the schema documents.
handler404 = api.not_found

account_urls = [
    path("login/", account_views.PortalLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("register/", account_views.register, name="register"),
    path("verify/<str:token>/", account_views.verify_email, name="verify-email"),
    path("2fa/setup/", account_views.otp_setup, name="otp-setup"),
    path("2fa/verify/", account_views.otp_verify, name="otp-verify"),
    path("tokens/", account_views.api_tokens, name="api-tokens"),
    path(
        "password/change/",
        account_views.PortalPasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("password/reset/", account_views.PortalPasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        account_views.PortalPasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("offices/", views.office_list, name="office-list"),
    path("offices/<str:code>/", views.office_detail, name="office-detail"),
    path("institutions/", views.institution_list, name="institution-list"),
    path("institutions/<int:pk>/", views.institution_detail, name="institution-detail"),
    path("branches/<int:pk>/", views.branch_detail, name="branch-detail"),
    path("audit/", views.audit_list, name="audit-list"),
    path(
        "audit/authentication/",
        security_views.authentication_events,
        name="authentication-events",
    ),
    path("security-officers/", security_views.security_officer_list, name="security-officers"),
    path("inbox/", views.inbox, name="inbox"),
    path("help/", help_views.help_page, name="help"),
    path("help/glossary/", help_views.glossary, name="glossary"),
    path("help/accessibility/", help_views.accessibility, name="accessibility"),
    path("accounts/stay-signed-in/", help_views.stay_signed_in, name="stay-signed-in"),
    path("inbox/read/", views.inbox_mark_read, name="inbox-mark-read"),
    path("inbox/<int:pk>/", views.notification_detail, name="notification-detail"),
    path("returns/", include("reporting.urls")),
    path("", include("supervision.urls")),
    path("accounts/", include(account_urls)),
    path("webhooks/", include("portal.webhooks.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include((api_urls, "api"))),
    path(settings.ADMIN_URL, admin.site.urls),
]
