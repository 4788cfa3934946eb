from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from safecontact.lib.access import oversight_required


@oversight_required
def attention(request: HttpRequest) -> HttpResponse:
    return render(request, "people/attention.html", {"items": []})
