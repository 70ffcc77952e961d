// Shared by several test binaries; each uses a subset.
#![allow(dead_code)]
//! Shared set-up of the interop tests: one camera on 127.0.0.1 port 0, and a peer process run
//! with a time limit.

use std::net::Ipv4Addr;
use std::path::Path;
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

/// `codec,width,height` of an image file as ffprobe reads it, after checking that ffmpeg
/// decodes it without a single error; panics with their output otherwise.
pub fn ffprobe_image(path: &Path) -> String {
    let probe = std::process::Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "stream=codec_name,width,height",
        ])
        .args(["-of", "csv=p=0"])
        .arg(path)
        .output()
        .unwrap_or_else(|e| panic!("cannot run ffprobe ({e}): apt-get install ffmpeg"));
    let stderr = String::from_utf8_lossy(&probe.stderr);
    assert!(
        probe.status.success() && stderr.trim().is_empty(),
        "ffprobe: {stderr}"
    );
    let decode = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args(["-f", "null", "-"])
        .output()
        .unwrap_or_else(|e| panic!("cannot run ffmpeg ({e}): apt-get install ffmpeg"));
    let errors = String::from_utf8_lossy(&decode.stderr);
    assert!(
        decode.status.success() && errors.trim().is_empty(),
        "ffmpeg: {errors}"
    );
    String::from_utf8_lossy(&probe.stdout).trim().to_owned()
}
