"""The result card shows the named clinic's phone (a tel: link in national format) and a
"Book online" link, and nothing when the clinic gave neither."""

from django.template.loader import render_to_string


def _card(**contact) -> dict:
    return {
        "rank": 1,
        "score": 0.5,
        "distance_km": 1.2,
        "profession_label": "Physiotherapist",
        "language_names": ["English"],
        "criteria_list": [],
        "practitioner": {
            "id": 7,
            "name": "Dana Lee",
            "clinic": "Harbour IMS",
            "city": "Vancouver",
            "accepting_new_patients": True,
            "contact": {"phone": None, "website": None, "booking_url": None} | contact,
        },
    }


def test_the_card_links_the_phone_and_online_booking():
    card = _card(phone="+16045550123", booking_url="https://harbour.example.org/book")

    page = render_to_string("web/_result_card.html", {"card": card})

    assert '<a href="tel:+16045550123">(604) 555-0123</a>' in page
    assert (
        '<a href="https://harbour.example.org/book" rel="noopener">Book online'
        '<span class="visually-hidden"> with Dana Lee</span></a>'
    ) in page


def test_a_card_without_contact_shows_neither():
    page = render_to_string("web/_result_card.html", {"card": _card()})

    assert "tel:" not in page
    assert "Book online" not in page
