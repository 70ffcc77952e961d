//! Receive buffers of the UDP sockets retina opens for RTP, and the datagrams the kernel dropped
//! because a buffer was full.
//!
//! A camera sends each frame as a burst of datagrams; a key frame of a 4 Mbit/s stream is
//! hundreds of them at once. With Linux's default receive buffer (`net.core.rmem_default`,
//! 212,992 bytes, about 90 full-size datagrams once the kernel's per-packet bookkeeping is
//! counted) a burst overflows whenever the reading task is not scheduled within a millisecond
//! or two, and the kernel drops the rest: RTP sequence gaps that look like loss on the wire but
//! never left the host. So every session's RTP socket is sized for its planned bitrate, and the
//! kernel's own drop counter of that socket is read when the session ends, so that loss is
//! reported apart from loss on the wire.
//!
//! The right place for both is the socket's owner: retina 0.4 binds the RTP/RTCP pair itself
//! (`UdpPair::for_ip`) with no option for the buffer size, and reads one datagram per syscall
//! (its own source notes `recvmmsg` as future work), so batched reads need a change in retina,
//! not here. Until retina grows a receive-buffer option, this module reaches the socket the
//! supported way Linux offers a process for its own descriptors: `pidfd_getfd(2)` on our own
//! pidfd duplicates the descriptor (same socket), found through `/proc/self/fd` by the local
//! port retina reports for the stream. The duplicate is set with `SO_RCVBUF` before PLAY (so no
//! datagram arrives before the buffer is sized), read back (the kernel caps the request at
//! `net.core.rmem_max`), and kept until the session ends to read the socket's drop counter
//! from `/proc/self/net/udp`.
//!
//! Every lookup goes through one thread that serves all pending requests with one scan, so
//! thousands of sessions setting up at once cost a few scans, not one each.

use std::collections::{HashMap, HashSet};
use std::os::fd::{AsFd, OwnedFd};
use std::sync::OnceLock;
use std::sync::mpsc as std_mpsc;

use tokio::sync::oneshot;

/// What a session's RTP socket was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceiveBuffer {
    /// Bytes asked for (sized from the planned bitrate; the system default when nothing was
    /// asked).
    pub asked: usize,
    /// Bytes the kernel granted (Linux reports twice the usable size; this is the usable size).
    pub granted: usize,
}

impl ReceiveBuffer {
    /// The kernel gave less than was asked.
    pub fn capped(&self) -> bool {
        self.granted < self.asked
    }
}

/// The sysctl that caps what an unprivileged process may ask for.
pub const RMEM_MAX_SYSCTL: &str = "net.core.rmem_max";

/// A session's RTP socket, held until the session ends.
pub(crate) struct SizedSocket {
    /// The duplicate descriptor, held (never read) so the socket's counter can still be read
    /// after retina closes its own; it keeps the socket open, so it is released when the
    /// session ends ([`drops`] does).
    _held: OwnedFd,
    inode: u64,
    /// What the buffer was given.
    pub buffer: ReceiveBuffer,
}

impl std::fmt::Debug for SizedSocket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SizedSocket")
            .field("inode", &self.inode)
            .field("buffer", &self.buffer)
            .finish()
    }
}

enum Request {
    Size {
        port: u16,
        bytes: Option<usize>,
        reply: oneshot::Sender<Result<SizedSocket, String>>,
    },
    Drops {
        socket: SizedSocket,
        reply: oneshot::Sender<Option<u64>>,
    },
}

fn service() -> &'static std::sync::Mutex<std_mpsc::Sender<Request>> {
    static SERVICE: OnceLock<std::sync::Mutex<std_mpsc::Sender<Request>>> = OnceLock::new();
    SERVICE.get_or_init(|| {
        let (tx, rx) = std_mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("rig-udp-buffers".into())
            .spawn(move || serve(&rx));
        if let Err(e) = spawned {
            // Without the thread every request's reply is dropped and reported as an error.
            tracing::warn!(error = %e, "cannot start the UDP buffer thread");
        }
        std::sync::Mutex::new(tx)
    })
}

fn send(request: Request) {
    if let Ok(tx) = service().lock() {
        let _ = tx.send(request);
    }
}

/// The local RTP port of a UDP stream, from retina's description of its context
/// (`127.0.0.1:5000-5001(me) -> 127.0.0.1:6000-6001`).
pub(crate) fn local_rtp_port(context: &str) -> Option<u16> {
    let me = context.split("(me)").next()?;
    let (address, _rtcp) = me.rsplit_once('-')?;
    address.rsplit_once(':')?.1.parse().ok()
}

/// Finds the UDP socket bound to local `port` and, with `bytes`, sizes its receive buffer.
pub(crate) async fn size(port: u16, bytes: Option<usize>) -> Result<SizedSocket, String> {
    let (reply, answer) = oneshot::channel();
    send(Request::Size { port, bytes, reply });
    answer
        .await
        .map_err(|_| "the UDP buffer thread is not running".to_string())?
}

/// Datagrams the kernel dropped on this socket (receive buffer full), and releases it.
pub(crate) async fn drops(socket: SizedSocket) -> Option<u64> {
    let (reply, answer) = oneshot::channel();
    send(Request::Drops { socket, reply });
    answer.await.ok().flatten()
}

/// How many more reads of /proc/net/udp a socket missing from the first one gets.
const MISSED_LINE_REREADS: usize = 3;

/// Serves requests in batches: everything queued while one batch ran is answered by the next
/// scan.
fn serve(rx: &std_mpsc::Receiver<Request>) {
    let mut known = Known::default();
    while let Ok(first) = rx.recv() {
        let mut sizes = Vec::new();
        let mut drops = Vec::new();
        for request in std::iter::once(first).chain(rx.try_iter()) {
            match request {
                Request::Size { port, bytes, reply } => sizes.push((port, bytes, reply)),
                Request::Drops { socket, reply } => drops.push((socket, reply)),
            }
        }
        if !drops.is_empty() {
            let mut counters = udp_drop_counters();
            // /proc/net/udp is read in chunks and is not a snapshot: a socket that another
            // session opens or closes during the read shifts the table, and a line can be
            // skipped. Every socket asked about is still open (this thread holds it), so one
            // missing from the read is read again rather than reported as unknown.
            for _ in 0..MISSED_LINE_REREADS {
                let missing = |c: &HashMap<u64, u64>| {
                    drops
                        .iter()
                        .any(|(socket, _)| !c.contains_key(&socket.inode))
                };
                match &mut counters {
                    Some(c) if missing(c) => {
                        if let Some(again) = udp_drop_counters() {
                            c.extend(again);
                        }
                    }
                    _ => break,
                }
            }
            for (socket, reply) in drops {
                let dropped = counters
                    .as_ref()
                    .and_then(|c| c.get(&socket.inode).copied());
                drop(socket);
                let _ = reply.send(dropped);
            }
        }
        if !sizes.is_empty() {
            let scan = known.scan();
            for (port, bytes, reply) in sizes {
                let _ = reply.send(scan.as_ref().map_err(Clone::clone).and_then(|_| {
                    known
                        .take(port)
                        .ok_or_else(|| format!("no UDP socket of this process on port {port}"))
                        .and_then(|(inode, fd)| set_buffer(fd, inode, bytes))
                }));
            }
        }
    }
}

fn set_buffer(fd: OwnedFd, inode: u64, bytes: Option<usize>) -> Result<SizedSocket, String> {
    let socket = socket2::SockRef::from(&fd);
    if let Some(bytes) = bytes {
        socket
            .set_recv_buffer_size(bytes)
            .map_err(|e| format!("SO_RCVBUF: {e}"))?;
    }
    let reported = socket
        .recv_buffer_size()
        .map_err(|e| format!("SO_RCVBUF: {e}"))?;
    let granted = reported / 2;
    Ok(SizedSocket {
        _held: fd,
        inode,
        buffer: ReceiveBuffer {
            asked: bytes.unwrap_or(granted),
            // Linux doubles the value set, to leave room for its bookkeeping, and reports the
            // doubled figure; half of it is what was granted.
            granted,
        },
    })
}

/// UDP sockets of this process seen by earlier scans, by inode, with their local port and
/// descriptor number; other descriptors' inodes (and sockets already handed out) are remembered
/// so that they are not examined again.
#[derive(Default)]
struct Known {
    udp: HashMap<u64, (u16, i32)>,
    other: HashSet<u64>,
}

/// This process's pidfd, for `pidfd_getfd`.
fn own_pidfd() -> Result<OwnedFd, String> {
    rustix::process::pidfd_open(
        rustix::process::getpid(),
        rustix::process::PidfdFlags::empty(),
    )
    .map_err(|e| format!("pidfd_open: {e}"))
}

/// The socket inode a descriptor of this process refers to.
fn socket_inode(fd: i32) -> Option<u64> {
    let target = std::fs::read_link(format!("/proc/self/fd/{fd}")).ok()?;
    target
        .to_str()?
        .strip_prefix("socket:[")?
        .strip_suffix(']')?
        .parse()
        .ok()
}

impl Known {
    /// Finds this process's UDP sockets opened since the last scan.
    fn scan(&mut self) -> Result<(), String> {
        let pidfd = own_pidfd()?;
        let entries =
            std::fs::read_dir("/proc/self/fd").map_err(|e| format!("/proc/self/fd: {e}"))?;
        let mut present = HashSet::new();
        for entry in entries.flatten() {
            let Some(fd) = entry
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<i32>().ok())
            else {
                continue;
            };
            let Some(inode) = socket_inode(fd) else {
                continue;
            };
            present.insert(inode);
            if self.udp.contains_key(&inode) || self.other.contains(&inode) {
                continue;
            }
            let port = rustix::process::pidfd_getfd(
                pidfd.as_fd(),
                fd,
                rustix::process::PidfdGetfdFlags::empty(),
            )
            .ok()
            .and_then(|dup| {
                let socket = socket2::SockRef::from(&dup);
                match (socket.r#type(), socket.local_addr()) {
                    (Ok(socket2::Type::DGRAM), Ok(addr)) => addr.as_socket().map(|a| a.port()),
                    _ => None,
                }
            });
            match port {
                Some(port) if port != 0 => {
                    self.udp.insert(inode, (port, fd));
                }
                _ => {
                    self.other.insert(inode);
                }
            }
        }
        // Sockets closed since: forget them.
        self.udp.retain(|inode, _| present.contains(inode));
        self.other.retain(|inode| present.contains(inode));
        Ok(())
    }

    /// A duplicate of the socket bound to `port`, handed over to the caller.
    fn take(&mut self, port: u16) -> Option<(u64, OwnedFd)> {
        let (&inode, &(_, fd)) = self.udp.iter().find(|(_, (p, _))| *p == port)?;
        self.udp.remove(&inode);
        self.other.insert(inode);
        // The descriptor number may have been closed and reused since the scan.
        if socket_inode(fd) != Some(inode) {
            return None;
        }
        let pidfd = own_pidfd().ok()?;
        let dup = rustix::process::pidfd_getfd(
            pidfd.as_fd(),
            fd,
            rustix::process::PidfdGetfdFlags::empty(),
        )
        .ok()?;
        Some((inode, dup))
    }
}

/// Every UDP socket's drop counter in this network namespace, by inode, from
/// `/proc/self/net/udp` and `udp6` (the last column).
fn udp_drop_counters() -> Option<HashMap<u64, u64>> {
    let mut out = HashMap::new();
    let mut any = false;
    for file in ["/proc/self/net/udp", "/proc/self/net/udp6"] {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        any = true;
        out.extend(parse_drop_counters(&text));
    }
    any.then_some(out)
}

fn parse_drop_counters(text: &str) -> impl Iterator<Item = (u64, u64)> + '_ {
    text.lines().skip(1).filter_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let inode = fields.get(9)?.parse().ok()?;
        let drops = fields.last()?.parse().ok()?;
        Some((inode, drops))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rtp_port_from_retina_context() {
        assert_eq!(
            local_rtp_port("127.0.0.1:5000-5001(me) -> 127.0.0.1:6000-6001"),
            Some(5000)
        );
        assert_eq!(
            local_rtp_port("::1:41234-41235(me) -> ::1:6000-6001"),
            Some(41234)
        );
        assert_eq!(local_rtp_port("TCP, interleaved channel ids 0-1"), None);
    }

    #[test]
    fn drop_counters_by_inode() {
        let text = "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n\
            1234: 0100007F:1388 0100007F:1770 01 00000000:00000000 00:00000000 00000000     0        0 98765 2 0000000000000000 62\n";
        let counters: HashMap<u64, u64> = parse_drop_counters(text).collect();
        assert_eq!(counters.get(&98765), Some(&62));
    }

    #[tokio::test]
    async fn sizes_a_socket_of_this_process_and_reads_its_drops() {
        let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
        let port = socket.local_addr().map(|a| a.port()).unwrap_or(0);
        let sized = size(port, Some(1 << 20))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(sized.buffer.asked, 1 << 20);
        assert!(sized.buffer.granted > 200_000, "{:?}", sized.buffer);
        // The original descriptor sees the same socket's size.
        let original = socket2::SockRef::from(&socket)
            .recv_buffer_size()
            .unwrap_or(0);
        assert_eq!(original / 2, sized.buffer.granted);
        assert_eq!(drops(sized).await, Some(0));
    }
}
