// Comparateur map: the unit and the candidates' current communes (Leaflet, vendored).
// Progressive enhancement: the table beside the map holds the same information.
(function () {
  "use strict";
  function dessiner() {
    var conteneur = document.getElementById("carte");
    if (!conteneur || typeof L === "undefined") { return; }
    var points = JSON.parse(conteneur.getAttribute("data-points") || "[]");
    if (!points.length) { conteneur.textContent = "Aucune position connue pour ces communes."; return; }
    conteneur.classList.add("comparateur__carte--active");
    var carte = L.map(conteneur, { attributionControl: true, scrollWheelZoom: false });
    var tuiles = conteneur.getAttribute("data-tuiles");
    if (tuiles) { L.tileLayer(tuiles, { maxZoom: 18 }).addTo(carte); }
    var limites = [];
    points.forEach(function (p) {
      var marque = L.circleMarker([p.lat, p.lon], {
        radius: p.logement ? 10 : 7,
        color: p.logement ? "#000091" : "#b34000",
        weight: 2,
        fillOpacity: 0.6
      }).addTo(carte);
      marque.bindTooltip(p.nom, { permanent: true, direction: "right" });
      limites.push([p.lat, p.lon]);
    });
    carte.fitBounds(limites, { padding: [40, 40], maxZoom: 12 });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", dessiner);
  } else {
    dessiner();
  }
})();
