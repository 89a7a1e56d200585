"""Words in the demo's reviews, replies and referrals.

Templates take `condition` (a condition's name in lower case, or "the pain" when the
review names none) and `sessions`; str.format ignores the ones a template does not use.
Nothing here names a person: patients are never named in a referral, and reviews name
neither staff nor other patients.
"""

# Ratings 4-5.
PRAISE = (
    "I had {condition} for over a year before trying IMS. After {sessions} sessions I am "
    "sleeping through the night again.",
    "Clear explanations at every visit and a realistic plan. The needling is uncomfortable, "
    "but it works.",
    "My doctor suggested IMS for {condition}. Noticeable improvement after the third session.",
    "Very thorough assessment: found tight spots nobody else had checked in years of treatment.",
    "Back to running after months off with {condition}. Appointments ran on time.",
    "Honest about what IMS can and cannot do, and about how many sessions to expect.",
    "Calm, careful and explained each step. {sessions} sessions and I can turn my head again.",
    "The home exercises between sessions made a real difference. Recommended.",
)
# Rating 3.
MIXED = (
    "Some improvement in {condition}, but slower than I hoped. Sessions felt a little rushed.",
    "Knowledgeable, though the needling hurt more than I had been told to expect.",
    "Helped for a few weeks, then the {condition} came back. Still worth a try.",
    "Good care, but the clinic was hard to book and ran late twice.",
)
# Ratings 1-2.
CRITICAL = (
    "No change in {condition} after {sessions} sessions, and the cost adds up.",
    "Felt rushed and my questions were not really answered.",
    "Very painful sessions and little explanation of the plan.",
)

THANKS = (
    "Thank you for taking the time to write this. Glad you are moving well again.",
    "Thank you! Keep up the home exercises between sessions.",
    "Thank you, it was a pleasure working with you.",
    "Thanks for the kind words. Do get in touch if the symptoms come back.",
)
APOLOGIES = (
    "I am sorry the sessions did not help as much as we hoped. Please call the clinic so we "
    "can review your plan together.",
    "Thank you for the honest feedback. We have since lengthened first appointments so there "
    "is more time for questions.",
)

# (body, moderator's note): what a moderator takes down.
REMOVED = (
    (
        "Great results! For cheaper sessions call my friend's clinic instead: 604-555-0142.",
        "Advertises another clinic and gives a phone number.",
    ),
    (
        "This is about a different clinic I went to last year, not this practitioner.",
        "Not about this practitioner.",
    ),
)

REFERRAL_REASONS = (
    "{condition_sentence} for {months} months; physiotherapy and NSAIDs have plateaued.",
    "Chronic {condition}, poor response to exercise therapy. Please assess for IMS.",
    "Recurrent {condition} with myofascial trigger points on examination.",
    "{condition_sentence} after a workplace injury; imaging unremarkable.",
    "Persistent {condition} limiting work; patient prefers to avoid opioids.",
    "{condition_sentence} since a motor vehicle collision {months} months ago.",
)
