from django.urls import path

from roundtable.directory import views

app_name = "directory"

urlpatterns = [
    path("", views.home, name="home"),
    path("directory/people/", views.people, name="people"),
    path("directory/people/<int:person_id>/", views.person, name="person"),
    path("directory/people/<int:person_id>/edit/", views.person_edit, name="person-edit"),
    path("directory/teams/", views.teams, name="teams"),
    path("directory/teams/<int:team_id>/", views.team, name="team"),
    path("directory/organisations/", views.organisations, name="organisations"),
    path("directory/organisations/add/", views.organisation_edit, name="organisation-add"),
    path("directory/organisations/<int:organisation_id>/", views.organisation, name="organisation"),
    path(
        "directory/organisations/<int:organisation_id>/edit/",
        views.organisation_edit,
        name="organisation-edit",
    ),
    path("directory/leadership/", views.leadership_teams, name="leadership-teams"),
    path(
        "directory/leadership/<int:leadership_team_id>/",
        views.leadership_team,
        name="leadership-team",
    ),
    path("account/api-tokens/", views.api_tokens, name="api-tokens"),
    path(
        "account/api-tokens/<int:token_id>/revoke/", views.api_token_revoke, name="api-token-revoke"
    ),
]
