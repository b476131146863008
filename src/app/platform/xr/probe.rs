//! Why VR did not start, in words a trainee or their IT desk can act on.
//!
//! bevy_mod_openxr only logs its error when OpenXR fails to come up; this retraces the
//! same steps (loader, runtime, Vulkan support, a headset) to name the first that failed.
//! It runs once, only after the fallback, so it costs nothing when VR works.

use openxr::{ApplicationInfo, Entry, ExtensionSet, FormFactor};

/// The first missing piece, as a sentence fragment ("no OpenXR runtime is active …").
pub fn why_unavailable() -> String {
    // SAFETY: loading the system's OpenXR loader library runs its initialisers; that is
    // what every OpenXR application does first, and bevy_mod_openxr just did the same.
    #[expect(
        unsafe_code,
        reason = "loading the OpenXR loader is the one unsafe call OpenXR needs"
    )]
    let entry = match unsafe { Entry::load() } {
        Ok(entry) => entry,
        Err(e) => {
            return format!(
                "the OpenXR loader (libopenxr_loader.so) is not installed ({e}); on Debian or Ubuntu: apt install libopenxr-loader1 libopenxr-dev"
            );
        }
    };
    let extensions = match entry.enumerate_extensions() {
        Ok(x) => x,
        Err(e) => {
            return format!("no OpenXR runtime is active ({e}); start SteamVR, Monado or your headset's runtime");
        }
    };
    if !extensions.khr_vulkan_enable2 {
        return "the OpenXR runtime cannot render with Vulkan (it lacks XR_KHR_vulkan_enable2)".to_owned();
    }
    let info = ApplicationInfo {
        application_name: "Holdspace",
        ..ApplicationInfo::default()
    };
    let instance = match entry.create_instance(&info, &ExtensionSet::default(), &[]) {
        Ok(instance) => instance,
        Err(e) => return format!("the OpenXR runtime refused to start ({e})"),
    };
    match instance.system(FormFactor::HEAD_MOUNTED_DISPLAY) {
        Err(e) => format!("no headset is connected ({e})"),
        Ok(_) => "the headset could not be opened with Vulkan (see the log for OpenXR's error)".to_owned(),
    }
}
