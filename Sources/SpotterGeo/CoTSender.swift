#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Sends Cursor-on-Target events as UDP datagrams, one event per datagram (what TAK clients and servers accept on
/// their CoT inputs, e.g. ATAK's default 4242/udp or a multicast SA group).
public enum CoTSender {
    /// Detections `spotter export --cot-send` sends unless `--top` says otherwise: an RGB frame can give 300, and a
    /// survey's tens of thousands of events would flood a TAK network.
    public static let defaultTop = 100

    /// `udp://HOST:PORT` → host and port; throws a usage-style error otherwise.
    public static func parse(_ url: String) throws(GeoError) -> (host: String, port: UInt16) {
        guard url.hasPrefix("udp://") else { throw GeoError(.badInput, "--cot-send takes udp://HOST:PORT (got \(url))") }
        var rest = url.dropFirst(6)
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        let host: Substring, portText: Substring
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {  // [::1]:4242
            host = rest[rest.index(after: rest.startIndex)..<close]
            portText = rest[close...].dropFirst(2)
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        } else {
            throw GeoError(.badInput, "--cot-send needs a port: udp://HOST:PORT (got \(url))")
        }
        guard !host.isEmpty, let port = UInt16(portText), port > 0 else {
            throw GeoError(.badInput, "--cot-send takes udp://HOST:PORT with a port 1-65535 (got \(url))")
        }
        return (String(host), port)
    }

    /// Sends each event to `url` as one datagram. Returns how many were sent.
    @discardableResult
    public static func send(_ events: [String], to url: String) throws(GeoError) -> Int {
        let (host, port) = try parse(url)
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        #else
        hints.ai_socktype = SOCK_DGRAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw GeoError(.io, "cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        let fd = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard fd >= 0 else { throw GeoError(.io, "cannot open a UDP socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var sent = 0
        for event in events {
            var bytes = Array(event.utf8)
            guard bytes.count <= 65_507 else {
                throw GeoError(.io, "a CoT event of \(bytes.count) bytes does not fit in one UDP datagram")
            }
            let n = bytes.withUnsafeMutableBytes { raw in
                sendto(fd, raw.baseAddress, raw.count, 0, first.pointee.ai_addr, first.pointee.ai_addrlen)
            }
            if n < 0 { throw GeoError(.io, "sending to \(url) failed: \(String(cString: strerror(errno)))") }
            sent += 1
        }
        return sent
    }
}
