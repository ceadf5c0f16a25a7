/* 数据看板: draws every card of #dashboard-data with ECharts (served locally), and its buttons: 表格 (the table
   view of the same figures), 图片 (save as PNG), 打印. Clicking a bar opens its list, or a township's dashboard. */
(function () {
  "use strict";

  var COLOURS = ["#c23531", "#2f4554", "#61a0a8", "#d48265", "#91c7ae", "#749f83", "#ca8622", "#bda29a"];
  var CARD_COLOURS = { work_cards: ["#d9534f", "#3c9d4e"] };

  function option(card) {
    var names = card.series.map(function (s) { return s.name; });
    var base = {
      color: CARD_COLOURS[card.key] || COLOURS,
      tooltip: { trigger: card.chart === "pie" || card.chart === "funnel" ? "item" : "axis" },
      animation: false,
      textStyle: { fontFamily: "sans-serif" }
    };
    if (card.chart === "pie" || card.chart === "funnel") {
      var first = card.series[0] || { data: [] };
      var data = card.categories.map(function (name, i) { return { name: name, value: first.data[i] }; });
      base.legend = { bottom: 0, type: "scroll" };
      base.series = [card.chart === "pie"
        ? { type: "pie", radius: ["35%", "65%"], data: data, label: { formatter: "{b}\n{c}" } }
        : { type: "funnel", sort: "none", left: "10%", width: "80%", top: 10, bottom: 30, data: data,
            label: { formatter: "{b}：{c}" } }];
      return base;
    }
    var horizontal = card.chart === "hbar";
    var category = { type: "category", data: card.categories, axisLabel: { interval: 0, hideOverlap: true } };
    var value = { type: "value", minInterval: 1 };
    if (!horizontal && card.categories.length > 6) { category.axisLabel.rotate = 30; }
    if (horizontal) { category.inverse = true; }
    base.legend = { top: 0, data: names, type: "scroll" };
    base.grid = { left: horizontal ? 130 : 40, right: 20, top: 30, bottom: 10, containLabel: !horizontal };
    if (horizontal) { category.axisLabel.width = 120; category.axisLabel.overflow = "truncate"; }
    base.xAxis = horizontal ? value : category;
    base.yAxis = horizontal ? category : value;
    base.series = card.series.map(function (s) {
      return {
        name: s.name,
        type: card.chart === "line" ? "line" : "bar",
        stack: card.chart === "stack" ? "total" : undefined,
        data: s.data,
        label: { show: card.categories.length <= 12 && card.chart !== "line", position: horizontal ? "right" : "top" }
      };
    });
    return base;
  }

  function target(card, params) {
    if (card.drill && card.drill.length && card.drill[params.dataIndex]) { return card.drill[params.dataIndex]; }
    var s = card.series[params.seriesIndex || 0];
    return s && s.links ? s.links[params.dataIndex] : "";
  }

  function savePng(chart, title) {
    var link = document.createElement("a");
    link.href = chart.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#fff" });
    link.download = title + ".png";
    document.body.appendChild(link);
    link.click();
    link.remove();
  }

  function draw() {
    var source = document.getElementById("dashboard-data");
    if (!source || !window.echarts) { return; }
    var cards = JSON.parse(source.textContent);
    var charts = [];
    cards.forEach(function (card) {
      var box = document.querySelector('[data-chart="' + card.key + '"]');
      if (!box) { return; }
      var chart = window.echarts.init(box, null, { renderer: "canvas", locale: "ZH" });
      chart.setOption(option(card));
      chart.on("click", function (params) {
        var url = target(card, params);
        if (url) { window.location.href = url; }
      });
      charts.push(chart);
      var article = box.closest("[data-card]");
      article.querySelectorAll("[data-card-action]").forEach(function (button) {
        button.addEventListener("click", function () {
          if (button.dataset.cardAction === "png") { savePng(chart, card.title); return; }
          var table = article.querySelector(".sd-card-table");
          var showTable = table.classList.contains("d-none");
          table.classList.toggle("d-none", !showTable);
          box.classList.toggle("d-none", showTable);
          button.textContent = showTable ? "图表" : "表格";
          if (!showTable) { chart.resize(); }
        });
      });
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
    window.addEventListener("beforeprint", function () { charts.forEach(function (c) { c.resize(); }); });
    document.querySelectorAll('[data-board-action="print"]').forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
}());
