"""The page where a user creates and revokes their own API tokens, and ``POST /api/v1/auth/token/``."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from cse_monitor.lib.api import ApiMixin
from cse_monitor.tokens import token_create, token_revoke, tokens_of, user_for_credentials


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("What is the token for?"), max_length=100)


@login_required
@require_http_methods(["GET", "POST"])
def tokens_page(request: HttpRequest) -> HttpResponse:
    secret = None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        issued = token_create(user=request.user, name=form.cleaned_data["name"])
        secret = issued.secret
        form = TokenForm()
    context = {"form": form, "secret": secret, "tokens": tokens_of(request.user)}
    return render(request, "cse_monitor/api_tokens.html", context, status=201 if secret else 200)


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    if token_revoke(user=request.user, token_id=token_id):
        messages.success(request, _("The token was revoked: it no longer opens the API."))
    else:
        messages.error(request, _("No such active token."))
    return redirect("api-tokens")


class CredentialsSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    name = serializers.CharField(required=False, max_length=100, help_text="What the token is for")


class IssuedTokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="The secret: shown once, send it as 'Authorization: Token <token>'")
    id = serializers.IntegerField()
    name = serializers.CharField()
    prefix = serializers.CharField()


class ObtainTokenView(ApiMixin, APIView):
    """Exchange a username and password for a new API token (scripts). Failed attempts are rate-limited."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    pagination_class = None

    def get_authenticate_header(self, request):
        # Bad credentials are a 401 (with a challenge), as for a bad token.
        return 'Token realm="api"'

    @extend_schema(
        request=CredentialsSerializer,
        responses={201: IssuedTokenSerializer},
        auth=[],
        examples=[
            OpenApiExample(
                "request", value={"username": "staff", "password": "…", "name": "R script"}, request_only=True
            )
        ],
    )
    def post(self, request):
        incoming = CredentialsSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        user = user_for_credentials(
            request, username=incoming.validated_data["username"], password=incoming.validated_data["password"]
        )
        issued = token_create(user=user, name=incoming.validated_data.get("name") or "API (password exchange)")
        body = {"token": issued.secret, "id": issued.token.pk, "name": issued.token.name, "prefix": issued.token.prefix}
        return Response(body, status=201)
