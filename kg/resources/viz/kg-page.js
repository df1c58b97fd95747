/* The kg viz page: draws the graph embedded in #kg-data with sigma.js (WebGL) and graphology.
 *
 * kg/viz/html.py inlines this file after graphology.umd.min.js and sigma.min.js. Every piece of graph
 * text reaches the page through textContent (never innerHTML), so names cannot inject markup.
 * Test hooks live on window.kgView (see the end of this file).
 */
(function () {
  "use strict";

  var DATA = JSON.parse(document.getElementById("kg-data").textContent);
  var NODES = DATA.nodes, EDGES = DATA.edges, FIELDS = DATA.fields;
  var DIM_NODE = "#E4E4E4", DIM_EDGE = "#EEEEEE", SELECTED_EDGE = "#555555";
  var FONT = '"kg-cjk", system-ui, "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif';
  var SMALL = NODES.length <= 300;

  var view = { ready: false, error: null };
  window.kgView = view;

  function $(id) { return document.getElementById(id); }

  function el(tag, text, className) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (className) e.className = className;
    return e;
  }

  // -- state ---------------------------------------------------------------------------------------
  var index = new Map();  // node id -> position in NODES
  NODES.forEach(function (n, i) { index.set(n.id, i); });
  var state = { hiddenKinds: new Set(), from: null, to: null, selected: null, focus: null, hover: null };
  var graph = null, renderer = null;

  function inRange(date) {
    if (!date) return true;  // undated events are not affected by the date range
    if (state.from && date.slice(0, state.from.length) < state.from) return false;
    if (state.to && date.slice(0, state.to.length) > state.to) return false;
    return true;
  }

  function hiddenAt(i) {
    var n = NODES[i];
    if (state.hiddenKinds.has(n.kind)) return true;
    return Boolean(n.event) && !inRange(n.date);
  }

  function hidden(id) { return hiddenAt(index.get(id)); }

  // -- node shapes: one small WebGL program per shape (circle, square, diamond, triangle, star) -----
  // The vertex shader emits one triangle around the node, large enough (inscribed radius 2r) to hold
  // every shape; the fragment shader keeps the pixels inside the shape's signed distance function.
  var VERTEX_SHADER = [
    "attribute vec4 a_id;",
    "attribute vec4 a_color;",
    "attribute vec2 a_position;",
    "attribute float a_size;",
    "attribute float a_angle;",
    "uniform mat3 u_matrix;",
    "uniform float u_sizeRatio;",
    "uniform float u_correctionRatio;",
    "varying vec4 v_color;",
    "varying vec2 v_offset;",
    "varying float v_radius;",
    "void main() {",
    "  float radius = a_size * u_correctionRatio / u_sizeRatio * 2.0;",
    "  vec2 offset = 4.0 * radius * vec2(cos(a_angle), sin(a_angle));",
    "  gl_Position = vec4((u_matrix * vec3(a_position + offset, 1.0)).xy, 0.0, 1.0);",
    "  v_offset = offset;",
    "  v_radius = radius;",
    "  #ifdef PICKING_MODE",
    "  v_color = a_id;",
    "  #else",
    "  v_color = a_color;",
    "  #endif",
    "  v_color.a *= 255.0 / 254.0;",  // sigma packs alpha in 254 steps (see its own programs)
    "}",
  ].join("\n");

  // Signed distance (negative inside) from p to a shape of about the area of a disc of radius r.
  var SHAPE_DISTANCE = {
    circle: "return length(p) - r;",
    square: "vec2 q = abs(p); return max(q.x, q.y) - 0.886 * r;",
    diamond: "return (abs(p.x) + abs(p.y)) * 0.7071 - 0.886 * r;",
    triangle: [
      "float a = 0.777 * r;",
      "return max(-p.y - a, max(dot(p, vec2(0.866, 0.5)) - a, dot(p, vec2(-0.866, 0.5)) - a));",
    ].join("\n"),
    star: [
      "float outer = 1.45 * r;",
      "float inner = 0.62 * r;",
      "float sector = 1.2566371;",  // 2 pi / 5
      "float a = abs(mod(atan(p.x, p.y) + 0.5 * sector, sector) - 0.5 * sector);",
      "vec2 q = length(p) * vec2(sin(a), cos(a));",
      "vec2 tip = vec2(0.0, outer);",
      "vec2 notch = inner * vec2(0.5877853, 0.8090170);",  // at pi / 5 from the tip
      "vec2 edge = notch - tip;",
      "vec2 normal = normalize(vec2(-edge.y, edge.x));",
      "return dot(q - tip, normal);",
    ].join("\n"),
  };

  function fragmentShader(body) {
    return [
      "precision highp float;",
      "varying vec4 v_color;",
      "varying vec2 v_offset;",
      "varying float v_radius;",
      "uniform float u_correctionRatio;",
      "float shapeDistance(vec2 p, float r) {",
      body,
      "}",
      "void main(void) {",
      "  float d = shapeDistance(v_offset, v_radius);",
      "  float smoothing = u_correctionRatio * 2.0;",
      "  #ifdef PICKING_MODE",
      "  gl_FragColor = d > 0.0 ? vec4(0.0) : v_color;",
      "  #else",
      "  float t = clamp((d + smoothing) / smoothing, 0.0, 1.0);",
      "  gl_FragColor = mix(v_color, vec4(0.0), t);",
      "  #endif",
      "}",
    ].join("\n");
  }

  function shapeProgram(shape) {
    var fragment = fragmentShader(SHAPE_DISTANCE[shape]);
    var GL = WebGLRenderingContext;
    return class extends Sigma.rendering.NodeProgram {
      getDefinition() {
        return {
          VERTICES: 3,
          VERTEX_SHADER_SOURCE: VERTEX_SHADER,
          FRAGMENT_SHADER_SOURCE: fragment,
          METHOD: GL.TRIANGLES,
          UNIFORMS: ["u_sizeRatio", "u_correctionRatio", "u_matrix"],
          ATTRIBUTES: [
            { name: "a_position", size: 2, type: GL.FLOAT },
            { name: "a_size", size: 1, type: GL.FLOAT },
            { name: "a_color", size: 4, type: GL.UNSIGNED_BYTE, normalized: true },
            { name: "a_id", size: 4, type: GL.UNSIGNED_BYTE, normalized: true },
          ],
          CONSTANT_ATTRIBUTES: [{ name: "a_angle", size: 1, type: GL.FLOAT }],
          CONSTANT_DATA: [[Math.PI / 2], [Math.PI / 2 + 2 * Math.PI / 3], [Math.PI / 2 + 4 * Math.PI / 3]],
        };
      }
      processVisibleItem(nodeIndex, start, data) {
        var array = this.array;
        array[start++] = data.x;
        array[start++] = data.y;
        array[start++] = data.size;
        array[start++] = Sigma.utils.floatColor(data.color);
        array[start++] = nodeIndex;
      }
      setUniforms(params, program) {
        var gl = program.gl, u = program.uniformLocations;
        gl.uniform1f(u.u_correctionRatio, params.correctionRatio);
        gl.uniform1f(u.u_sizeRatio, params.sizeRatio);
        gl.uniformMatrix3fv(u.u_matrix, false, params.matrix);
      }
    };
  }

  // -- the info panel --------------------------------------------------------------------------------
  function showInfo(title, fields) {
    var box = $("info");
    box.replaceChildren();
    box.appendChild(el("h3", title));
    var dl = el("dl");
    fields.forEach(function (pair) {
      dl.appendChild(el("dt", FIELDS[pair[0]] || pair[0]));
      dl.appendChild(el("dd", pair[1]));
    });
    box.appendChild(dl);
    box.hidden = false;
  }

  function showNode(id) {
    var n = NODES[index.get(id)];
    showInfo(n.label, n.info);
  }

  function showEdge(key) {
    var e = EDGES[Number(key)];
    showInfo(e.label, e.info);
  }

  function restoreInfo() {
    if (state.selected !== null) showNode(state.selected);
    else $("info").hidden = true;
  }

  // -- selection: a node and its neighbours stand out, the rest fades ----------------------------------
  function select(id, centre) {
    if (id === null || !index.has(id)) {
      state.selected = null;
      state.focus = null;
      restoreInfo();
      refresh();
      return;
    }
    state.selected = id;
    var focus = new Set([id]);
    if (graph) graph.forEachNeighbor(id, function (m) { focus.add(m); });
    state.focus = focus;
    showNode(id);
    refresh();
    if (centre && renderer) {
      var d = renderer.getNodeDisplayData(id);
      var camera = renderer.getCamera();
      if (d) camera.animate({ x: d.x, y: d.y, ratio: Math.min(camera.ratio, 0.6) }, { duration: 300 });
    }
  }

  function nodeReducer(id, attrs) {
    var out = Object.assign({}, attrs);
    if (hidden(id)) {
      out.hidden = true;
      return out;
    }
    if (state.focus) {
      if (state.focus.has(id)) {
        out.zIndex = 1;
        out.forceLabel = true;
      } else {
        out.color = DIM_NODE;
        out.label = "";
        out.zIndex = 0;
      }
      if (id === state.selected) out.highlighted = true;
    }
    return out;
  }

  function edgeReducer(key, attrs) {
    var out = Object.assign({}, attrs);
    var ends = graph.extremities(key);
    if (hidden(ends[0]) || hidden(ends[1])) {
      out.hidden = true;
      return out;
    }
    if (state.focus) {
      if (ends[0] === state.selected || ends[1] === state.selected) {
        out.color = SELECTED_EDGE;
        out.zIndex = 1;
        out.forceLabel = true;
      } else {
        out.color = DIM_EDGE;
        out.label = "";
        out.zIndex = 0;
      }
    }
    return out;
  }

  // -- filters, legend, counts, timeline ------------------------------------------------------------
  function visibleCount() {
    var c = 0;
    for (var i = 0; i < NODES.length; i++) if (!hiddenAt(i)) c++;
    return c;
  }

  function refresh() {
    if (renderer) renderer.refresh();
    $("counts").textContent = "显示 " + visibleCount() + " / " + NODES.length + " 个节点 nodes, " +
      EDGES.length + " 条边 edges";
    document.querySelectorAll("#timeline li[data-node], #undated li[data-node]").forEach(function (li) {
      var id = NODES[Number(li.dataset.node)].id;
      li.classList.toggle("off", hidden(id));
      li.classList.toggle("selected", id === state.selected);
    });
  }

  function swatch(color, shape) {
    var NS = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(NS, "svg");
    svg.setAttribute("width", "14");
    svg.setAttribute("height", "14");
    svg.setAttribute("viewBox", "-7 -7 14 14");
    var p;
    if (shape === "square") {
      p = document.createElementNS(NS, "rect");
      [["x", "-5"], ["y", "-5"], ["width", "10"], ["height", "10"]].forEach(function (a) { p.setAttribute(a[0], a[1]); });
    } else if (shape === "circle" || !shape) {
      p = document.createElementNS(NS, "circle");
      p.setAttribute("r", "5.5");
    } else {
      var points = {
        diamond: "0,-7 7,0 0,7 -7,0",
        triangle: "0,-6.5 6.5,5 -6.5,5",
        star: "0,-7 1.7,-2.3 6.7,-2.2 2.7,0.9 4.1,5.7 0,2.9 -4.1,5.7 -2.7,0.9 -6.7,-2.2 -1.7,-2.3",
      }[shape];
      p = document.createElementNS(NS, "polygon");
      p.setAttribute("points", points || "");
    }
    p.setAttribute("fill", color);
    svg.appendChild(p);
    return svg;
  }

  function setKindVisible(kind, visible) {
    if (visible) state.hiddenKinds.delete(kind);
    else state.hiddenKinds.add(kind);
    document.querySelectorAll("#legend input").forEach(function (box) {
      if (box.dataset.kind === kind) box.checked = Boolean(visible);
    });
    if (state.selected !== null && hidden(state.selected)) select(null);
    else refresh();
  }

  function buildLegend() {
    var list = $("legend");
    DATA.kinds.forEach(function (k) {
      var li = el("li");
      var label = el("label");
      var box = el("input");
      box.type = "checkbox";
      box.checked = true;
      box.dataset.kind = k.kind;
      box.addEventListener("change", function () { setKindVisible(k.kind, box.checked); });
      label.appendChild(box);
      label.appendChild(swatch(k.color, k.shape));
      label.appendChild(el("span", k.name, "name"));
      label.appendChild(el("span", k.count, "count"));
      li.appendChild(label);
      list.appendChild(li);
    });
  }

  function setDateRange(from, to) {
    state.from = from || null;
    state.to = to || null;
    $("from").value = state.from || "";
    $("to").value = state.to || "";
    if (state.selected !== null && hidden(state.selected)) select(null);
    else refresh();
  }

  function buildRange() {
    var dates = DATA.dates;
    if (!dates.length) {
      $("range-box").hidden = true;
      return;
    }
    [["from", dates[0]], ["to", dates[dates.length - 1]]].forEach(function (pair) {
      var s = $(pair[0]);
      dates.forEach(function (d) {
        var o = el("option", d);
        o.value = d;
        s.appendChild(o);
      });
      s.value = pair[1];
      s.addEventListener("change", function () { setDateRange($("from").value, $("to").value); });
    });
    state.from = dates[0];
    state.to = dates[dates.length - 1];
  }

  function timelineItem(ev) {
    var n = NODES[ev.node];
    var li = el("li");
    li.dataset.node = String(ev.node);
    var b = el("button");
    b.type = "button";
    b.appendChild(el("span", ev.date || "?", "date"));
    b.appendChild(el("span", ev.kind, "kind"));
    b.appendChild(document.createTextNode(" " + ev.text));
    if (ev.who.length) b.appendChild(el("span", ev.who.join("、"), "who"));
    b.addEventListener("click", function () { select(n.id, true); });
    li.appendChild(b);
    return li;
  }

  function buildTimeline() {
    var list = $("timeline");
    DATA.events.forEach(function (ev) { list.appendChild(timelineItem(ev)); });
    if (!DATA.events.length) list.appendChild(el("li", "没有带日期的事件 no dated events", "muted"));
    var undated = $("undated");
    DATA.undated.forEach(function (ev) { undated.appendChild(timelineItem(ev)); });
    $("undated-box").hidden = DATA.undated.length === 0;
    $("undated-count").textContent = String(DATA.undated.length);
  }

  // -- search ----------------------------------------------------------------------------------------
  function find(text) {
    var q = String(text || "").trim().toLowerCase();
    if (!q) return [];
    var hits = [];
    NODES.forEach(function (n, i) {
      for (var j = 0; j < n.names.length; j++) {
        var name = n.names[j].toLowerCase();
        if (name.indexOf(q) >= 0) {
          hits.push({ i: i, rank: name === q ? 0 : name.indexOf(q) === 0 ? 1 : 2 });
          return;
        }
      }
    });
    hits.sort(function (a, b) {
      return a.rank - b.rank || NODES[a.i].label.length - NODES[b.i].label.length || a.i - b.i;
    });
    return hits.map(function (h) { return h.i; });
  }

  function showHits(hits) {
    var list = $("hits");
    list.replaceChildren();
    hits.slice(0, 50).forEach(function (i) {
      var n = NODES[i];
      var li = el("li");
      var b = el("button", n.label);
      b.type = "button";
      b.appendChild(el("span", n.kindName, "kind"));
      b.addEventListener("click", function () { select(n.id, true); });
      li.appendChild(b);
      list.appendChild(li);
    });
    if (hits.length > 50) list.appendChild(el("li", "… " + (hits.length - 50) + " more", "muted"));
    if (!hits.length && $("search").value.trim()) list.appendChild(el("li", "没有匹配 no match", "muted"));
  }

  function search(text) {
    $("search").value = text;
    var hits = find(text);
    showHits(hits);
    return hits.map(function (i) { return NODES[i].label; });
  }

  function buildSearch() {
    var box = $("search");
    box.addEventListener("input", function () { showHits(find(box.value)); });
    box.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        var hits = find(box.value);
        if (hits.length) select(NODES[hits[0]].id, true);
      } else if (event.key === "Escape") {
        box.value = "";
        showHits([]);
        select(null);
      }
    });
  }

  // -- drawing ---------------------------------------------------------------------------------------
  function draw() {
    graph = new graphology.MultiDirectedGraph();
    NODES.forEach(function (n) {
      graph.addNode(n.id, { x: n.x, y: n.y, size: n.size, color: n.color, label: n.label, type: n.shape });
    });
    EDGES.forEach(function (e, i) {
      var attrs = { label: e.label, size: 1.5, color: DATA.edgeColor, type: e.curve ? "curve" : "arrow" };
      if (e.curve) attrs.curvature = e.curve;
      graph.addDirectedEdgeWithKey(String(i), NODES[e.s].id, NODES[e.t].id, attrs);
    });
    var programs = {};
    Object.keys(SHAPE_DISTANCE).forEach(function (shape) { programs[shape] = shapeProgram(shape); });
    var manyEdges = EDGES.length > DATA.edgeLabelLimit;
    $("edge-labels").checked = !manyEdges;
    renderer = new Sigma(graph, $("graph"), {
      nodeProgramClasses: programs,
      defaultNodeType: "circle",
      edgeProgramClasses: { arrow: Sigma.rendering.EdgeArrowProgram, curve: Sigma.rendering.EdgeCurveProgram },
      defaultEdgeType: "arrow",
      renderEdgeLabels: !manyEdges,
      enableEdgeEvents: true,
      hideEdgesOnMove: EDGES.length > 5000,
      labelFont: FONT,
      edgeLabelFont: FONT,
      labelSize: 12,
      edgeLabelSize: 10,
      edgeLabelColor: { color: "#666666" },
      labelRenderedSizeThreshold: SMALL ? 0 : 8,
      labelDensity: SMALL ? 1 : 0.1,
      zIndex: true,
      stagePadding: 40,
      nodeReducer: nodeReducer,
      edgeReducer: edgeReducer,
    });
    renderer.on("enterNode", function (e) { showNode(e.node); });
    renderer.on("leaveNode", restoreInfo);
    renderer.on("clickNode", function (e) { select(e.node, false); });
    renderer.on("enterEdge", function (e) { showEdge(e.edge); });
    renderer.on("leaveEdge", restoreInfo);
    renderer.on("clickEdge", function (e) { showEdge(e.edge); });
    renderer.on("clickStage", function () { select(null); });
    $("edge-labels").addEventListener("change", function () {
      renderer.setSetting("renderEdgeLabels", $("edge-labels").checked);
    });
  }

  function drawnNodeCount() {
    if (!renderer) return 0;
    renderer.refresh();
    var count = 0;
    graph.forEachNode(function (id) {
      var d = renderer.getNodeDisplayData(id);
      if (d && !d.hidden) count++;
    });
    return count;
  }

  function drawnEdgeCount() {
    if (!renderer) return 0;
    renderer.refresh();
    var count = 0;
    graph.forEachEdge(function (key, attrs, source, target) {
      var d = renderer.getEdgeDisplayData(key);
      var ends = [renderer.getNodeDisplayData(source), renderer.getNodeDisplayData(target)];
      if (d && !d.hidden && !ends[0].hidden && !ends[1].hidden) count++;
    });
    return count;
  }

  function start() {
    buildLegend();
    buildRange();
    buildTimeline();
    buildSearch();
    if (!NODES.length) {
      $("message").textContent = "没有节点 no nodes";
      $("message").hidden = false;
    } else {
      try {
        draw();
      } catch (err) {
        view.error = String(err && err.message || err);
        renderer = null;
        $("message").textContent = "无法绘图 cannot draw (WebGL): " + view.error;
        $("message").hidden = false;
      }
    }
    refresh();
  }

  Object.assign(view, {
    nodeCount: function () { return NODES.length; },
    edgeCount: function () { return EDGES.length; },
    visibleNodeCount: visibleCount,
    drawnNodeCount: drawnNodeCount,
    drawnEdgeCount: drawnEdgeCount,
    kinds: function () {
      return DATA.kinds.map(function (k) { return { kind: k.kind, count: k.count, color: k.color }; });
    },
    setKindVisible: setKindVisible,
    setDateRange: setDateRange,
    search: search,
    select: function (id) { select(id, true); },
    selected: function () { return state.selected; },
    focus: function () { return state.focus ? Array.from(state.focus).sort() : []; },
    timeline: function () {
      return Array.from(document.querySelectorAll("#timeline li[data-node]")).map(function (li) {
        return { id: NODES[Number(li.dataset.node)].id, date: li.querySelector(".date").textContent,
                 off: li.classList.contains("off") };
      });
    },
    info: function () {
      var box = $("info");
      if (box.hidden) return null;
      var out = { title: box.querySelector("h3").textContent };
      box.querySelectorAll("dt").forEach(function (dt) { out[dt.textContent] = dt.nextElementSibling.textContent; });
      return out;
    },
    viewportPosition: function (id) {
      if (!renderer) return null;
      var d = renderer.getNodeDisplayData(id);
      return d ? renderer.framedGraphToViewport(d) : null;
    },
    drawnRadius: function (id) {
      var d = renderer && renderer.getNodeDisplayData(id);
      return d ? renderer.scaleSize(d.size) : null;
    },
    viewportSize: function () { return renderer ? renderer.getDimensions() : null; },
    renderer: function () { return renderer; },
  });

  function run() {
    try {
      start();
    } catch (err) {
      view.error = String(err && err.stack || err);
      $("message").textContent = "出错 error: " + String(err && err.message || err);
      $("message").hidden = false;
    }
    view.ready = true;
  }

  // Draw once the inlined font is ready, so canvas labels are not drawn in a fallback font first.
  if (document.fonts && document.fonts.load) {
    document.fonts.load('13px "kg-cjk"', "中").then(run, run);
  } else {
    run();
  }
})();
