/* The visit form (assistance/visit_form.html): 记录位置 fills latitude and longitude from the phone's location. */
(function () {
  var button = document.getElementById("locate");
  if (!button) return;
  button.addEventListener("click", function () {
    var text = document.getElementById("location-text");
    if (!navigator.geolocation) { text.textContent = "本设备不支持定位"; return; }
    navigator.geolocation.getCurrentPosition(function (p) {
      document.getElementById("id_latitude").value = p.coords.latitude.toFixed(6);
      document.getElementById("id_longitude").value = p.coords.longitude.toFixed(6);
      text.textContent = "已记录位置";
    }, function () { text.textContent = "未能获取位置（可不填）"; });
  });
})();
