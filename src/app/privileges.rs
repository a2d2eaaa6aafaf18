//! `--user NAME`: give up root once the capture handle is open. The process takes the
//! user's uid, its primary gid and no supplementary group; any failure stops the run, since
//! going on as root is what the flag asked to avoid.

use std::ffi::CString;

/// The uid and gid of `name` from the password database.
fn lookup(name: &str) -> Result<(libc::uid_t, libc::gid_t), String> {
    let c_name = CString::new(name).map_err(|_| format!("user name '{name}' holds a NUL"))?;
    // SAFETY: getpwnam_r writes only into the struct and buffer we pass, with its length.
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut buf = vec![0 as libc::c_char; 16 * 1024];
    let mut found: *mut libc::passwd = std::ptr::null_mut();
    let rc = unsafe {
        libc::getpwnam_r(
            c_name.as_ptr(),
            &mut pwd,
            buf.as_mut_ptr(),
            buf.len(),
            &mut found,
        )
    };
    if rc != 0 {
        return Err(format!(
            "looking up user '{name}': {}",
            std::io::Error::from_raw_os_error(rc)
        ));
    }
    if found.is_null() {
        return Err(format!("no user named '{name}'"));
    }
    Ok((pwd.pw_uid, pwd.pw_gid))
}

/// Become `name`: supplementary groups dropped, then gid, then uid (in this order: after
/// setuid the process could no longer change its groups). Checked afterwards, including that
/// root cannot be regained.
pub fn drop_to(name: &str) -> Result<(), String> {
    let (uid, gid) = lookup(name)?;
    let fail = |what: &str| {
        format!(
            "{what} for user '{name}': {}",
            std::io::Error::last_os_error()
        )
    };
    // SAFETY: plain system calls on our own process, with valid arguments.
    unsafe {
        if libc::setgroups(1, &gid) != 0 {
            return Err(fail("setgroups"));
        }
        if libc::setgid(gid) != 0 {
            return Err(fail("setgid"));
        }
        if libc::setuid(uid) != 0 {
            return Err(fail("setuid"));
        }
        if libc::getuid() != uid || libc::geteuid() != uid || libc::getegid() != gid {
            return Err(format!("still not user '{name}' after setuid"));
        }
        if uid != 0 && libc::setuid(0) == 0 {
            return Err(format!(
                "could become root again after dropping to '{name}'"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_is_uid_zero_and_unknown_users_are_errors() {
        assert_eq!(lookup("root").unwrap().0, 0);
        let e = lookup("no-such-user-tstat-test").unwrap_err();
        assert!(e.contains("no user named"), "{e}");
    }
}
