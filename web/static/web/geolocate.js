/* "Use my location" on the search form: progressive enhancement only. Without JavaScript,
   or where the browser cannot tell its position, the city field does the same job. The
   position is rounded to about 100 m and sent only with the search (a POST), never in a link. */
(function () {
  "use strict";
  var button = document.getElementById("use-location");
  var lat = document.getElementById("id_lat");
  var lng = document.getElementById("id_lng");
  var city = document.getElementById("id_city");
  var status = document.getElementById("location-status");
  if (!button || !lat || !lng || !city || !status || !("geolocation" in navigator)) {
    return;
  }
  button.hidden = false;

  function forget() {
    lat.value = "";
    lng.value = "";
  }

  button.addEventListener("click", function () {
    status.textContent = "Finding your location…";
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(
      function (position) {
        lat.value = position.coords.latitude.toFixed(3);
        lng.value = position.coords.longitude.toFixed(3);
        city.value = "";
        button.disabled = false;
        status.textContent = "Searching near your current location. Type a city to search there instead.";
      },
      function () {
        forget();
        button.disabled = false;
        status.textContent = "Your location is not available. Type a city instead.";
      },
      { enableHighAccuracy: false, timeout: 15000, maximumAge: 600000 }
    );
  });

  // Typing a city means "search there": the city then wins over the remembered position.
  city.addEventListener("input", function () {
    if (lat.value || lng.value) {
      forget();
      status.textContent = "";
    }
  });
})();
