import Foundation

/// One self-contained HTML page for the coordinator: ranked detections with full-resolution crops, positions and
/// errors, a plot of frame footprints and detections, sortable by score or time; no external URL, readable on a
/// phone.
public enum Report {
    /// Detections a report shows unless told otherwise: a crop each; a crowded beach can give a scan hundreds per frame.
    public static let defaultTop = 500

    /// The page for `batch`, with crops (JPEG bytes) keyed by detection index.
    public static func html(
        _ batch: GeoBatch, crops: [Int: [UInt8]], title: String = "Spotter report", generated: Date = Date(), notes: [String] = []
    ) -> String {
        var h = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(Escape.html(title))</title>
            <style>\(css)</style></head><body>
            <header><h1>\(Escape.html(title))</h1>
            <p class="sum">\(batch.detections.count) detection\(batch.detections.count == 1 ? "" : "s") in \(batch.frames.count) frame\(batch.frames.count == 1 ? "" : "s"), \(batch.located) located. Generated \(Escape.html(GeoExport.iso8601(generated))).
            Positions are where the box centre's ray meets the water; ± is one sigma (95 % within 2.45×).</p>

            """
        // The same warning for several frames is listed once, with the frames' names.
        var grouped: [(message: String, frames: [String])] = []
        for f in batch.frames {
            for w in f.warnings + (f.error.map { ["not located: " + $0] } ?? []) {
                if let i = grouped.firstIndex(where: { $0.message == w }) {
                    grouped[i].frames.append(shortName(f.file))
                } else {
                    grouped.append((w, [shortName(f.file)]))
                }
            }
        }
        let warnings = grouped.map { $0.frames.joined(separator: ", ") + ": " + $0.message } + notes
        if !warnings.isEmpty {
            h += "<details class=\"warn\" open><summary>\(warnings.count) warning\(warnings.count == 1 ? "" : "s")</summary><ul>"
            for w in warnings { h += "<li>\(Escape.html(w))</li>" }
            h += "</ul></details>\n"
        }
        h += "</header>\n<section class=\"map\">\(svg(batch))</section>\n"
        h += """
            <nav class="sort">Sort: <button type="button" data-key="score" class="on">score</button>\
            <button type="button" data-key="time">time</button></nav>
            <main id="cards">

            """
        for (i, d) in batch.detections.enumerated() {
            let b = d.detection
            let sortTime = (d.time ?? "9999") + String(format: "%06d", d.rank)
            h += "<article class=\"card\" id=\"d\(d.rank)\" data-score=\"\(Escape.number(b.score, 6))\" data-time=\"\(Escape.html(sortTime))\" data-rank=\"\(d.rank)\">"
            if let jpeg = crops[i] {
                h += "<div class=\"crop\"><img loading=\"lazy\" alt=\"crop of detection \(d.rank)\" src=\"data:image/jpeg;base64,\(Data(jpeg).base64EncodedString())\">"
                // The detection's box over the crop, in percent of the crop (the crop is centred on it when it can be).
                if let frame = batch.frames.first(where: { $0.file == d.file }),
                    let r = CropSet.rect(for: b, width: frame.width, height: frame.height)
                {
                    let pad = 3.0
                    let left = (Double(b.x) - pad - Double(r.x)) / Double(r.width) * 100
                    let top = (Double(b.y) - pad - Double(r.y)) / Double(r.height) * 100
                    let width = (Double(b.width) + 2 * pad) / Double(r.width) * 100
                    let height = (Double(b.height) + 2 * pad) / Double(r.height) * 100
                    h += "<span class=\"box\" style=\"left:\(Escape.number(left, 2))%;top:\(Escape.number(top, 2))%;width:\(Escape.number(width, 2))%;height:\(Escape.number(height, 2))%\"></span>"
                }
                h += "</div>"
            } else {
                h += "<div class=\"nocrop\">no crop</div>"
            }
            h += "<div class=\"info\"><p class=\"head\"><b>#\(d.rank)</b> <span class=\"score\">\(Escape.number(b.score, 3))</span> \(Escape.html(b.detector))"
            if b.review != "unreviewed" { h += " <span class=\"rev \(Escape.html(b.review))\">\(Escape.html(b.review))</span>" }
            h += "</p><p>\(Escape.html(shortName(d.file)))"
            if let t = d.time { h += " · \(Escape.html(t))" }
            h += "<br><span class=\"dim\">box \(b.x),\(b.y) \(b.width)×\(b.height)</span></p>"
            if let fix = d.fix {
                let lat = Escape.number(fix.latitude, 6), lon = Escape.number(fix.longitude, 6)
                h += "<p class=\"pos\"><a href=\"geo:\(lat),\(lon)\">\(lat), \(lon)</a> ±\(Escape.number(fix.ceM, 1)) m</p>"
                if let w = d.frameWarning { h += "<p class=\"pos none\">\(Escape.html(w))</p>" }
                h += "<p class=\"dim\">\(Escape.number(fix.heightAboveSurfaceM, 1)) m above surface (\(Escape.html(fix.altitudeSource))); heading: \(Escape.html(fix.headingSource))</p>"
            } else {
                h += "<p class=\"pos none\">no position: \(Escape.html(d.locationError ?? "unknown"))</p>"
            }
            h += "</div></article>\n"
        }
        h += "</main>\n<script>\(script)</script>\n</body></html>\n"
        return h
    }

    static func shortName(_ path: String) -> String {
        String(path.split(separator: "/").last ?? Substring(path))
    }

    /// Frame footprints (projected corners) and detection points in local metres, north up.
    static func svg(_ batch: GeoBatch) -> String {
        var points: [(Double, Double)] = []
        for f in batch.frames { points += f.footprint ?? []; if let c = f.camera { points.append(c) } }
        for d in batch.detections { if let f = d.fix { points.append((f.latitude, f.longitude)) } }
        guard let first = points.first else { return "<p class=\"dim\">No frame could be placed on the map.</p>" }
        let lat0 = points.map(\.0).reduce(0, +) / Double(points.count), lon0 = points.map(\.1).reduce(0, +) / Double(points.count)
        _ = first
        func xy(_ p: (Double, Double)) -> (Double, Double) {
            let d = FrameGeometry.distance(from: (lat0, lon0), to: p)
            return (d.east, -d.north)
        }
        let all = points.map(xy)
        let pad = 8.0
        let minX = all.map(\.0).min()! - pad, maxX = all.map(\.0).max()! + pad
        let minY = all.map(\.1).min()! - pad, maxY = all.map(\.1).max()! + pad
        let w = max(maxX - minX, 10), hgt = max(maxY - minY, 10)
        let unit = max(w, hgt) / 400  // stroke and text sizes relative to a 400-unit-wide view
        func f(_ v: Double) -> String { Escape.number(v, 2) }
        var s = "<svg viewBox=\"\(f(minX)) \(f(minY)) \(f(w)) \(f(hgt))\" role=\"img\" aria-label=\"frame footprints and detections, north up\">"
        s += "<rect x=\"\(f(minX))\" y=\"\(f(minY))\" width=\"\(f(w))\" height=\"\(f(hgt))\" fill=\"#0b2233\"/>"
        for fr in batch.frames {
            guard let fp = fr.footprint else { continue }
            let pts = fp.map(xy).map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " ")
            let warn = !fr.warnings.filter { $0.contains("re-saved") }.isEmpty
            s += "<polygon points=\"\(pts)\" fill=\"\(warn ? "#ffb300" : "#4fc3f7")\" fill-opacity=\"0.08\" stroke=\"\(warn ? "#ffb300" : "#4fc3f7")\" stroke-width=\"\(f(unit))\"\(warn ? " stroke-dasharray=\"\(f(4 * unit))\"" : "")><title>\(Escape.html(shortName(fr.file)))\(warn ? " (re-saved: check orientation)" : "")</title></polygon>"
            let c = fp.map(xy)
            let cx = c.map(\.0).reduce(0, +) / Double(c.count), cy = c.map(\.1).reduce(0, +) / Double(c.count)
            s += "<text x=\"\(f(cx))\" y=\"\(f(cy))\" font-size=\"\(f(7 * unit))\" fill=\"#90caf9\" text-anchor=\"middle\" opacity=\"0.8\">\(Escape.html(shortName(fr.file)))</text>"
        }
        for fr in batch.frames {
            guard let c = fr.camera else { continue }
            let p = xy(c)
            s += "<circle cx=\"\(f(p.0))\" cy=\"\(f(p.1))\" r=\"\(f(1.5 * unit))\" fill=\"#90caf9\"/>"
        }
        let maxScore = batch.detections.map(\.detection.score).max() ?? 1
        for d in batch.detections.reversed() {
            guard let fix = d.fix else { continue }
            let p = xy((fix.latitude, fix.longitude))
            let t = maxScore > 0 ? max(0, min(1, d.detection.score / maxScore)) : 0
            let colour = "hsl(\(Int((1 - t) * 60)), 100%, 55%)"
            s += "<a href=\"#d\(d.rank)\"><circle cx=\"\(f(p.0))\" cy=\"\(f(p.1))\" r=\"\(f(max(fix.ceM, 2 * unit)))\" fill=\"\(colour)\" fill-opacity=\"0.12\" stroke=\"none\"/>"
            s += "<circle cx=\"\(f(p.0))\" cy=\"\(f(p.1))\" r=\"\(f(2.2 * unit))\" fill=\"\(colour)\" stroke=\"#000\" stroke-width=\"\(f(0.4 * unit))\"><title>#\(d.rank) score \(Escape.number(d.detection.score, 3))</title></circle>"
            if d.rank <= 10 {
                s += "<text x=\"\(f(p.0 + 3 * unit))\" y=\"\(f(p.1 - 3 * unit))\" font-size=\"\(f(9 * unit))\" fill=\"#fff\" font-weight=\"bold\">\(d.rank)</text>"
            }
            s += "</a>"
        }
        // Scale bar (a round number of metres about a fifth of the width) and a north arrow.
        let target = w / 5
        let bar = [1.0, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000].last { $0 <= target } ?? 1
        let bx = minX + 6 * unit, by = maxY - 8 * unit
        s += "<line x1=\"\(f(bx))\" y1=\"\(f(by))\" x2=\"\(f(bx + bar))\" y2=\"\(f(by))\" stroke=\"#fff\" stroke-width=\"\(f(1.5 * unit))\"/>"
        s += "<text x=\"\(f(bx))\" y=\"\(f(by - 3 * unit))\" font-size=\"\(f(8 * unit))\" fill=\"#fff\">\(Int(bar)) m</text>"
        let nx = maxX - 10 * unit, ny = minY + 8 * unit
        s += "<path d=\"M \(f(nx)) \(f(ny)) l \(f(4 * unit)) \(f(12 * unit)) l \(f(-8 * unit)) 0 z\" fill=\"#fff\"/>"
        s += "<text x=\"\(f(nx))\" y=\"\(f(ny + 22 * unit))\" font-size=\"\(f(8 * unit))\" fill=\"#fff\" text-anchor=\"middle\">N</text>"
        s += "</svg>"
        return s
    }

    static let css = """
        :root{color-scheme:light dark}*{box-sizing:border-box}
        body{margin:0;font:15px/1.35 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f6f8;color:#111}
        header{padding:12px 16px;background:#0b2233;color:#fff}h1{font-size:20px;margin:0 0 4px}
        .sum{margin:0;font-size:13px;opacity:.9}.warn{margin-top:8px;background:#5d4037;border-radius:6px;padding:6px 10px;font-size:13px}
        .warn ul{margin:4px 0 0;padding-left:18px}.map{background:#0b2233;padding:0 8px 8px}.map svg{display:block;width:100%;height:auto;max-height:70vh}
        .sort{position:sticky;top:0;z-index:2;background:#e3e8ec;padding:8px 16px;font-size:14px}
        .sort button{font:inherit;margin-left:6px;padding:4px 12px;border:1px solid #789;border-radius:14px;background:#fff;cursor:pointer}
        .sort button.on{background:#0b2233;color:#fff}
        #cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:8px;padding:8px}
        .card{background:#fff;border-radius:8px;overflow:hidden;box-shadow:0 1px 3px rgba(0,0,0,.2)}
        .crop{position:relative}.crop img{display:block;width:100%;height:auto;background:#000}
        .box{position:absolute;border:2px solid #ff1744;border-radius:2px;box-shadow:0 0 0 1px #000}
        .nocrop{height:120px;display:flex;align-items:center;justify-content:center;background:#ccc;color:#555}
        .info{padding:6px 8px;font-size:13px}.info p{margin:2px 0;overflow-wrap:anywhere}.head{font-size:15px}.score{font-weight:bold;color:#c62828}
        .pos a{font-family:ui-monospace,Menlo,Consolas,monospace;color:#0b57d0}.none{color:#b71c1c}.dim{color:#666;font-size:12px}
        .rev{font-size:12px;padding:1px 6px;border-radius:8px;background:#ddd}.rev.confirmed{background:#c8e6c9}.rev.dismissed{background:#eee;color:#777}
        @media (prefers-color-scheme:dark){body{background:#10161b;color:#e8e8e8}.card{background:#1c252c}.sort{background:#1c252c}
        .sort button{background:#10161b;color:#e8e8e8}.dim{color:#9aa}.pos a{color:#8ab4f8}}
        """

    static let script = """
        (function(){var m=document.getElementById('cards'),bs=document.querySelectorAll('.sort button');
        function sort(k){var c=Array.prototype.slice.call(m.children);c.sort(function(a,b){
        if(k==='time'){return a.dataset.time<b.dataset.time?-1:a.dataset.time>b.dataset.time?1:0}
        return (parseFloat(b.dataset.score)-parseFloat(a.dataset.score))||(a.dataset.rank-b.dataset.rank)});
        c.forEach(function(e){m.appendChild(e)});bs.forEach(function(b){b.classList.toggle('on',b.dataset.key===k)})}
        bs.forEach(function(b){b.addEventListener('click',function(){sort(b.dataset.key)})});
        if(location.hash==='#sort=time')sort('time')})();
        """
}
