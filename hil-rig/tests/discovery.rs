//! WS-Discovery between the rig's own probe and a responder announcing a fleet, over loopback
//! only: probes go straight to the responder's port (a directed probe) so that nothing is
//! multicast on a real interface. The multicast path is covered by `discovery_netns.rs` inside
//! a network namespace.

// A panic in this test is a failed assertion, not a crash on user input.
#![allow(clippy::unwrap_used)]

use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::time::Duration;

use camscope_hil_rig::discovery::{
    Endpoint, Message, ProbeOptions, QualifiedName, Responder, ResponderConfig, parse, probe,
};
use camscope_hil_rig::onvif::camera::CameraState;
use tokio::net::UdpSocket;

fn fleet(count: u32) -> Vec<Endpoint> {
    (0..count)
        .map(|i| {
            let mut state = CameraState::example(i, Ipv4Addr::LOCALHOST, 8554);
            state.network.http_port = 9000 + u16::try_from(i).unwrap();
            Endpoint::for_camera(&state)
        })
        .collect()
}

struct Running {
    address: SocketAddrV4,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

async fn start(
    endpoints: Vec<Endpoint>,
    announce_to: SocketAddrV4,
    max_delay: Duration,
) -> Running {
    let config = ResponderConfig {
        bind: SocketAddrV4::new(Ipv4Addr::LOCALHOST, 0),
        join: None,
        announce_to: Some(announce_to),
        max_delay,
    };
    let responder = Responder::bind(config, endpoints).await.unwrap();
    let SocketAddr::V4(address) = responder.local_addr().unwrap() else {
        panic!("IPv4 bind gave an IPv6 address");
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(responder.serve(async {
        let _ = stopped.await;
    }));
    Running {
        address,
        stop,
        task,
    }
}

/// Reads announcements from `socket` until `count` arrived or a second passed.
async fn announcements(socket: &UdpSocket, count: usize) -> Vec<Message> {
    let mut buffer = vec![0u8; 65_535];
    let mut out = Vec::new();
    while out.len() < count {
        let Ok(received) =
            tokio::time::timeout(Duration::from_secs(1), socket.recv_from(&mut buffer)).await
        else {
            break;
        };
        let (len, _) = received.unwrap();
        out.push(parse(&buffer[..len]).unwrap());
    }
    out
}

fn directed(to: SocketAddrV4) -> ProbeOptions {
    ProbeOptions {
        destination: to,
        interface: Ipv4Addr::LOCALHOST,
        types: vec![QualifiedName::network_video_transmitter()],
        scopes: Vec::new(),
        wait: Duration::from_millis(400),
    }
}

#[tokio::test]
async fn probe_finds_every_camera_and_hello_bye_frame_the_run() {
    let listener = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let SocketAddr::V4(listen) = listener.local_addr().unwrap() else {
        panic!("IPv4 bind gave an IPv6 address");
    };
    let cameras = fleet(5);
    let running = start(cameras.clone(), listen, Duration::from_millis(100)).await;

    let hellos = announcements(&listener, 5).await;
    assert_eq!(
        hellos,
        cameras
            .iter()
            .cloned()
            .map(Message::Hello)
            .collect::<Vec<_>>()
    );

    let mut found = probe(&directed(running.address)).await.unwrap();
    let mut expected = cameras.clone();
    expected.sort_by(|a, b| a.address.cmp(&b.address));
    found.sort_by(|a, b| a.address.cmp(&b.address));
    assert_eq!(found, expected);
    assert!(
        found
            .iter()
            .any(|e| e.xaddrs == ["http://127.0.0.1:9003/onvif/device_service"])
    );

    // Scope filter: one camera by name; a type nobody has: none; no types: all.
    let mut by_name = directed(running.address);
    by_name.scopes = vec!["onvif://www.onvif.org/name/simcam-2".into()];
    let found = probe(&by_name).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].address, cameras[2].address);
    let mut foreign = directed(running.address);
    foreign.types = vec![QualifiedName::new("urn:example:printers", "Printer")];
    assert!(probe(&foreign).await.unwrap().is_empty());
    let mut any = directed(running.address);
    any.types.clear();
    assert_eq!(probe(&any).await.unwrap().len(), 5);

    running.stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(5), running.task)
        .await
        .unwrap()
        .unwrap();
    let byes = announcements(&listener, 5).await;
    assert_eq!(
        byes,
        cameras
            .iter()
            .map(|c| Message::Bye {
                address: c.address.clone()
            })
            .collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn garbage_datagrams_do_not_stop_the_responder() {
    let listener = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let SocketAddr::V4(listen) = listener.local_addr().unwrap() else {
        panic!("IPv4 bind gave an IPv6 address");
    };
    let running = start(fleet(2), listen, Duration::ZERO).await;
    let sender = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    for i in 0..500 {
        let len = rand::random_range(0..1500);
        let mut noise: Vec<u8> = (0..len).map(|_| rand::random()).collect();
        if i % 2 == 0 {
            // Half start like SOAP so the XML reader, not just the UTF-8 check, sees them.
            noise.splice(
                0..0,
                br#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>"#
                    .iter()
                    .copied(),
            );
        }
        sender.send_to(&noise, running.address).await.unwrap();
        if i % 20 == 0 {
            // Let the responder drain its socket: an overflowing receive buffer would drop the
            // probe below for reasons that have nothing to do with parsing.
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }
    sender.send_to(&[], running.address).await.unwrap();
    // The same probe twice (as SOAP-over-UDP repeats it) is answered once.
    let probe_xml = camscope_hil_rig::discovery::write_probe(
        "urn:uuid:repeat",
        &[QualifiedName::network_video_transmitter()],
        &[],
    )
    .unwrap();
    sender.send_to(&probe_xml, running.address).await.unwrap();
    sender.send_to(&probe_xml, running.address).await.unwrap();
    let mut buffer = vec![0u8; 65_535];
    let mut answers = 0;
    while let Ok(received) =
        tokio::time::timeout(Duration::from_millis(500), sender.recv_from(&mut buffer)).await
    {
        let (len, _) = received.unwrap();
        assert!(matches!(
            parse(&buffer[..len]),
            Ok(Message::ProbeMatches { .. })
        ));
        answers += 1;
    }
    assert_eq!(answers, 2, "one answer per camera");
    assert_eq!(probe(&directed(running.address)).await.unwrap().len(), 2);
    running.stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(5), running.task)
        .await
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn one_responder_answers_for_three_hundred_cameras() {
    let listener = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let SocketAddr::V4(listen) = listener.local_addr().unwrap() else {
        panic!("IPv4 bind gave an IPv6 address");
    };
    let running = start(fleet(300), listen, Duration::from_millis(500)).await;
    let mut options = directed(running.address);
    options.wait = Duration::from_millis(1500);
    let found = probe(&options).await.unwrap();
    assert_eq!(found.len(), 300);
    running.stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(5), running.task)
        .await
        .unwrap()
        .unwrap();
}
