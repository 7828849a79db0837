"""A real flow through a Python client generated from papo's OpenAPI document.

openapi-generator's Python client validates every response against the document
(pydantic models, strict types): a field the server sends as null but the document
does not allow, a missing required field or a wrong type fails here. Every REST
operation is called at least once, errors included (their bodies parse as Problem).

Usage: python openapi_flow.py BASE_URL   (the generated package must be installed)
"""

import sys
import uuid

import papo_api_client as papo
from papo_api_client.api.auth_api import AuthApi
from papo_api_client.api.health_api import HealthApi
from papo_api_client.api.messages_api import MessagesApi
from papo_api_client.api.rooms_api import RoomsApi
from papo_api_client.api.users_api import UsersApi
from papo_api_client.exceptions import ApiException

BASE = sys.argv[1]
PASSWORD = "password123"


def client(token=None):
    config = papo.Configuration(host=BASE, access_token=token)
    return papo.ApiClient(config)


def expect_problem(status, call):
    """Calls `call`, which must fail with `status`; its body must parse as Problem."""
    try:
        call()
    except ApiException as err:
        assert err.status == status, f"expected {status}, got {err.status}: {err.body}"
        problem = papo.Problem.from_json(err.body)
        assert problem.status == status and problem.code, problem
        return problem
    raise AssertionError(f"expected {status}, the call succeeded")


def session(username):
    UsersApi(client()).sign_up(papo.Register(name=username.title(), username=username, password=PASSWORD))
    # Login takes a form (the OAuth2 password flow) or JSON; this client sends the form.
    token = AuthApi(client()).log_in(
        username=username, password=PASSWORD, _content_type="application/x-www-form-urlencoded"
    )
    assert token.token_type == "bearer" and token.refresh_token
    return token


def main():
    assert HealthApi(client()).get_health().status == "ok"
    suffix = uuid.uuid4().hex[:8]
    alice_token = session(f"alice{suffix}")
    bob_token = session(f"bob{suffix}")
    alice = client(alice_token.access_token)
    bob = client(bob_token.access_token)

    me = UsersApi(alice).get_me()
    bob_me = UsersApi(bob).get_me()
    directory = UsersApi(alice).list_users(q=suffix, limit=1)
    assert len(directory.users) == 1 and directory.next_cursor is not None
    UsersApi(alice).list_users(q=suffix, cursor=directory.next_cursor)
    UsersApi(alice).list_online_users()
    status = UsersApi(alice).get_user_status(bob_me.id)
    assert status.last_seen is None  # null, and the document allows it

    rooms = RoomsApi(alice)
    room = rooms.create_room(papo.NewRoomBody(name=f"general-{suffix}"))
    assert room.description is None
    private = rooms.create_room(
        papo.NewRoomBody(name=f"secret-{suffix}", description="plans", visibility="private")
    )
    page = rooms.list_rooms(limit=1)
    rooms.list_rooms(cursor=page.next_cursor, joined=True)
    rooms.get_room(room.id)
    rooms.update_room(room.id, papo.RoomPatchBody(description="all welcome"))
    RoomsApi(bob).join_room(room.id)
    rooms.invite_member(private.id, papo.UserIdBody(user_id=bob_me.id))
    rooms.list_members(room.id)
    RoomsApi(bob).leave_room(private.id)
    direct = RoomsApi(bob).open_direct_room(papo.UserIdBody(user_id=me.id))
    assert direct.visibility == "direct"

    messages = MessagesApi(alice)
    first = messages.post_message(room.id, papo.PostBody(content="hello"))
    assert first.edited_at is None
    again = messages.post_message(room.id, papo.PostBody(content="once", temp_id="t1"))
    assert messages.post_message(room.id, papo.PostBody(content="once", temp_id="t1")).id == again.id
    edited = messages.edit_message(first.id, papo.EditBody(content="hello, edited"))
    assert edited.edited_at is not None
    messages.delete_message(again.id)
    keyset = messages.get_history(room.id, limit=1)
    assert keyset.pagination is None and keyset.next_before is not None
    offset = messages.get_history(room.id, page=1, size=10)
    assert offset.pagination is not None and offset.next_before is None

    expect_problem(404, lambda: rooms.get_room(uuid.uuid4()))
    expect_problem(403, lambda: RoomsApi(client(session(f"carol{suffix}").access_token)).get_room(private.id))
    expect_problem(409, lambda: rooms.create_room(papo.NewRoomBody(name=f"general-{suffix}")))
    invalid = expect_problem(422, lambda: messages.post_message(room.id, papo.PostBody(content="   ")))
    assert invalid.errors and invalid.errors[0].to_dict()["field"] == "content"
    expect_problem(401, lambda: UsersApi(client("not-a-token")).get_me())

    rooms.delete_room(room.id)
    UsersApi(bob).change_password(papo.PasswordChange(current_password=PASSWORD, new_password="password456"))
    refreshed = AuthApi(client()).refresh_token(papo.RefreshBody(refresh_token=alice_token.refresh_token))
    AuthApi(client(refreshed.access_token)).log_out(papo.RefreshBody(refresh_token=refreshed.refresh_token))
    # Logging out ends the session: its access tokens, the first one included, stop.
    expect_problem(401, lambda: UsersApi(alice).get_me())
    print("openapi flow: every response parsed")


if __name__ == "__main__":
    main()
