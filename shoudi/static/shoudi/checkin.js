/* The check-in page (teams/checkin.html): the phone's position, asked for when the page opens, goes with the one
   tap. The time is the server's. Without a position (refused, no signal) the check-in is still made; a tap while the
   phone is still locating waits for it a few seconds at most. */
(function () {
  var form = document.getElementById("checkin-form");
  if (!form) return;
  var text = document.getElementById("location-text");
  var button = document.getElementById("checkin-button");
  var pending = false, sent = false, waiting = null;

  function say(message) { if (text) text.textContent = message; }

  function send() {
    if (sent) return;
    sent = true;
    button.disabled = true;
    button.textContent = "正在签到…";
    form.submit();
  }

  function located(position) {
    var c = position.coords;
    document.getElementById("id_latitude").value = c.latitude.toFixed(6);
    document.getElementById("id_longitude").value = c.longitude.toFixed(6);
    document.getElementById("id_accuracy").value = Math.round(c.accuracy);
    pending = false;
    say("已定位（精度约 " + Math.round(c.accuracy) + " 米），签到时间以服务器时间为准");
    if (waiting) { clearTimeout(waiting); send(); }
  }

  function failed() {
    pending = false;
    say("未能获取位置，可直接签到（位置可不填）");
    if (waiting) { clearTimeout(waiting); send(); }
  }

  if (navigator.geolocation) {
    pending = true;
    say("正在定位…");
    navigator.geolocation.getCurrentPosition(located, failed, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
  } else {
    say("本设备不支持定位，可直接签到");
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!pending) { send(); return; }
    say("正在定位，请稍候…");
    button.disabled = true;
    waiting = setTimeout(send, 5000);
  });
})();
