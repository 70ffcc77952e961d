// Shared by several test binaries; each uses a subset.
#![allow(dead_code)]
//! Shared set-up of the interop tests: one camera on 127.0.0.1 port 0, and a peer process run
//! with a time limit.

use std::net::Ipv4Addr;
use std::process::{Output, Stdio};
use std::sync::Arc;
use std::time::Duration;

use camscope_hil_rig::onvif::auth::{Credentials, Secret};
use camscope_hil_rig::onvif::camera::{Camera, CameraState};
use camscope_hil_rig::onvif::server::OnvifServer;

/// A camera served on loopback until [`Running::stop`].
pub struct Running {
    pub camera: Arc<Camera>,
    pub port: u16,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    pub async fn stop(self) {
        self.stop.send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(5), self.task)
            .await
            .unwrap()
            .unwrap();
    }
}

/// The password comes from outside the camera, as the rig's --password-env will provide it.
pub fn password() -> String {
    format!("pw-{}-{}", std::process::id(), rand::random::<u32>())
}

pub async fn start(
    index: u32,
    user: &str,
    password: &str,
    clock_offset: time::Duration,
) -> Running {
    let camera = Arc::new(
        Camera::new(
            CameraState::example(index, Ipv4Addr::LOCALHOST, 8554),
            Credentials {
                username: user.into(),
                password: Secret::new(password),
            },
        )
        .with_clock_offset(clock_offset),
    );
    let server = OnvifServer::bind("127.0.0.1:0".parse().unwrap(), Arc::clone(&camera))
        .await
        .unwrap();
    let port = server.local_addr().port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(server.serve(async {
        let _ = stopped.await;
    }));
    Running {
        camera,
        port,
        stop,
        task,
    }
}

/// Runs `command` to completion within `limit`, killing it otherwise.
pub async fn run(mut command: tokio::process::Command, limit: Duration) -> Output {
    let child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"));
    tokio::time::timeout(limit, child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("{command:?} did not finish within {limit:?}"))
        .unwrap()
}
