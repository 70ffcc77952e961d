"""Drive a simulated camera with onvif-zeep-async, the ONVIF library Home Assistant uses.

Run by tests/onvif_zeep.rs; not a test framework test. Usage:
    ONVIF_TEST_PASSWORD=... python3 onvif_zeep_check.py HOST PORT USER
Prints one JSON object with what it read; exits 0 when every check holds, 1 when one fails,
2 when onvif-zeep-async is not installed. With ONVIF_TEST_SNAPSHOT set, the JPEG snapshot
fetched after the resolution change is written to that file for the caller to decode.
"""

import asyncio
import json
import os
import sys

try:
    import aiohttp
    from onvif import ONVIFCamera
    from onvif.exceptions import ONVIFError
    import zeep.exceptions
except ImportError as e:  # the Rust test turns this into an install hint
    print(f"onvif-zeep-async is not installed: {e}", file=sys.stderr)
    sys.exit(2)


def check(condition, what):
    if not condition:
        raise AssertionError(what)


async def main(host, port, user, password):
    result = {}
    cam = ONVIFCamera(host, port, user, password, adjust_time=True)
    try:
        await cam.update_xaddrs()
        result["xaddrs"] = sorted(cam.xaddrs)
        device = await cam.create_devicemgmt_service()
        info = await device.GetDeviceInformation()
        result["manufacturer"] = info.Manufacturer
        result["serial"] = info.SerialNumber

        media = await cam.create_media_service()
        profiles = await media.GetProfiles()
        result["profiles"] = [p.token for p in profiles]
        check(len(profiles) >= 1, "at least one profile")
        main_profile = profiles[0]
        uri = await media.GetStreamUri(
            {
                "StreamSetup": {"Stream": "RTP-Unicast", "Transport": {"Protocol": "RTSP"}},
                "ProfileToken": main_profile.token,
            }
        )
        result["stream_uri"] = uri.Uri
        check(uri.Uri.startswith("rtsp://"), "stream URI is rtsp://")

        token = main_profile.VideoEncoderConfiguration.token
        options = await media.GetVideoEncoderConfigurationOptions({"ConfigurationToken": token})
        sizes = [(r.Width, r.Height) for r in options.H264.ResolutionsAvailable]
        check((1280, 720) in sizes, "1280x720 is offered")

        config = await media.GetVideoEncoderConfiguration({"ConfigurationToken": token})
        config.Resolution.Width = 1280
        config.Resolution.Height = 720
        config.RateControl.FrameRateLimit = 10
        config.RateControl.BitrateLimit = 1024
        await media.SetVideoEncoderConfiguration(
            {"Configuration": config, "ForcePersistence": True}
        )
        back = await media.GetVideoEncoderConfiguration({"ConfigurationToken": token})
        result["after_set"] = {
            "width": back.Resolution.Width,
            "height": back.Resolution.Height,
            "fps": back.RateControl.FrameRateLimit,
            "kbps": back.RateControl.BitrateLimit,
        }
        check(
            result["after_set"] == {"width": 1280, "height": 720, "fps": 10, "kbps": 1024},
            "SetVideoEncoderConfiguration round-trips",
        )

        # Home Assistant's still image: GetSnapshotUri, then a GET answered with HTTP Digest
        # (aiohttp's DigestAuthMiddleware), at the resolution just set.
        snapshot = await cam.get_snapshot(main_profile.token)
        check(snapshot is not None, "the snapshot GET succeeds")
        check(snapshot[:2] == b"\xff\xd8" and snapshot[-2:] == b"\xff\xd9", "the snapshot is a JPEG")
        result["snapshot_bytes"] = len(snapshot)
        if os.environ.get("ONVIF_TEST_SNAPSHOT"):
            with open(os.environ["ONVIF_TEST_SNAPSHOT"], "wb") as f:
                f.write(snapshot)
        snapshot_uri = await cam.get_snapshot_uri(main_profile.token)
        result["snapshot_uri"] = snapshot_uri
        async with aiohttp.ClientSession() as anonymous:
            async with anonymous.get(snapshot_uri) as response:
                result["snapshot_without_credentials"] = response.status
                challenge = response.headers.get("WWW-Authenticate", "")
        check(
            result["snapshot_without_credentials"] == 401 and challenge.startswith("Digest "),
            "a snapshot GET without credentials gets 401 with a Digest challenge",
        )

        # An out-of-range value must come back as a SOAP fault, not be accepted.
        config.RateControl.FrameRateLimit = 1000
        try:
            await media.SetVideoEncoderConfiguration(
                {"Configuration": config, "ForcePersistence": True}
            )
            result["out_of_range_refused"] = False
        except (zeep.exceptions.Fault, ONVIFError):
            result["out_of_range_refused"] = True
        check(result["out_of_range_refused"], "fps 1000 is refused")
    finally:
        await cam.close()

    # Wrong password: the device must refuse, and the library must report it.
    wrong = ONVIFCamera(host, port, user, password + "-wrong", adjust_time=True)
    try:
        await wrong.update_xaddrs()
        device = await wrong.create_devicemgmt_service()
        await device.GetDeviceInformation()
        result["wrong_password_refused"] = False
    except (zeep.exceptions.Fault, ONVIFError) as e:
        result["wrong_password_refused"] = "NotAuthorized" in str(e) or "Sender not Authorized" in str(e)
        result["wrong_password_error"] = str(e)[:200]
    finally:
        await wrong.close()
    check(result["wrong_password_refused"], "a wrong password is refused with NotAuthorized")
    return result


if __name__ == "__main__":
    host, port, user = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    password = os.environ["ONVIF_TEST_PASSWORD"]
    try:
        out = asyncio.run(main(host, port, user, password))
    except AssertionError as e:
        print(f"check failed: {e}", file=sys.stderr)
        sys.exit(1)
    print(json.dumps(out))
