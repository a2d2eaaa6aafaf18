//! Tstat's Web-2.0 classes of HTTP requests (`http_t`, docs/semantics/tcp-dpi.md §4.2).
//!
//! A request is classified from its target alone: the bytes after `GET ` (or `POST `) to the
//! end of the captured segment. Targets not starting with `/` are never classified. The rules
//! are chosen by the target's second byte and tried in Tstat's order; when none of them names
//! a class, GET requests get a few "tail" rules that look at the shape of the path.
//!
//! Two kinds of comparison, as in Tstat:
//! - a plain prefix rule compares the literal over what was captured, at most its length, so
//!   a capture ending inside the literal still matches;
//! - a guarded rule needs the capture to be longer than its guard and the whole literal to be
//!   there; its own test then decides, and when that test fails no later rule of the same
//!   letter is tried (the tail rules still are).
//!
//! Bytes past the capture never match anything.

/// Tstat's `enum http_content`; `http_t` prints the value + 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum HttpClass {
    Get = 0,
    Post = 1,
    Msn = 2,
    Rtmpt = 3,
    YoutubeVideo = 4,
    VideoContent = 5,
    Vimeo = 6,
    Wiki = 7,
    Rapidshare = 8,
    Megaupload = 9,
    Facebook = 10,
    Adv = 11,
    Flickr = 12,
    Gmaps = 13,
    Netflix = 14,
    YoutubeSite = 15,
    Social = 16,
    FlashVideo = 17,
    Mediafire = 18,
    Hotfile = 19,
    Storage = 20,
    Youtube204 = 21,
    YoutubeVideo204 = 22,
    YoutubeSiteDirect = 23,
    YoutubeSiteEmbed = 24,
    Twitter = 25,
    Dropbox = 26,
}

use HttpClass::*;

/// A test on the whole target; `None` when it does not fire.
type Test = fn(&[u8]) -> Option<HttpClass>;

#[derive(Clone, Copy)]
enum Rule {
    /// The target starts with the literal, compared over what was captured.
    Prefix(&'static [u8], HttpClass),
    /// A prefix rule whose compare length exceeds its literal for captures longer than the
    /// given length, so that only such short captures can match (dead rules kept as Tstat
    /// has them).
    ShortOnly(&'static [u8], usize, HttpClass),
    /// Capture longer than the guard and the whole literal there: the test decides, and
    /// ends the letter's rules.
    Guarded(usize, &'static [u8], Test),
    /// The literal compared over what was captured, then the test decides as above.
    PrefixThen(&'static [u8], Test),
    /// A condition of its own.
    If(Test),
}

use Rule::*;

/// The literal compared over `min(captured, its length)` bytes from `at`.
fn pre_at(t: &[u8], at: usize, lit: &[u8]) -> bool {
    let Some(rest) = t.get(at..) else {
        return false;
    };
    let m = rest.len().min(lit.len());
    rest[..m] == lit[..m]
}

/// The whole literal at `at`.
fn lit_at(t: &[u8], at: usize, lit: &[u8]) -> bool {
    t.get(at..).is_some_and(|r| r.starts_with(lit))
}

fn digit_at(t: &[u8], i: usize) -> bool {
    t.get(i).is_some_and(u8::is_ascii_digit)
}

fn all_digits(t: &[u8], from: usize, to: usize) -> bool {
    (from..to).all(|i| digit_at(t, i))
}

/// `[A-Za-z0-9_-]`: the characters of a YouTube video id.
fn id_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-' || c == b'_'
}

fn any_at(t: &[u8], at: usize, lits: &[&[u8]]) -> bool {
    lits.iter().any(|l| lit_at(t, at, l))
}

/// Run a letter's rules.
fn run(t: &[u8], rules: &[Rule]) -> Option<HttpClass> {
    let a = t.len();
    for rule in rules {
        match *rule {
            Prefix(lit, class) => {
                if pre_at(t, 0, lit) {
                    return Some(class);
                }
            }
            ShortOnly(lit, max, class) => {
                if a <= max && pre_at(t, 0, lit) {
                    return Some(class);
                }
            }
            Guarded(guard, lit, test) => {
                if a > guard && lit_at(t, 0, lit) {
                    return test(t);
                }
            }
            PrefixThen(lit, test) => {
                if pre_at(t, 0, lit) {
                    return test(t);
                }
            }
            If(test) => {
                if let Some(c) = test(t) {
                    return Some(c);
                }
            }
        }
    }
    None
}

/// The class of a segment starting `GET `.
pub fn classify_get(seg: &[u8]) -> HttpClass {
    let t = seg.get(4..).unwrap_or_default();
    if t.first() != Some(&b'/') {
        return Get;
    }
    let by_letter = match t.get(1) {
        Some(&c) => get_rules(t, c),
        None => None,
    };
    by_letter.or_else(|| tail(t)).unwrap_or(Get)
}

/// The class of a segment starting `POST`.
pub fn classify_post(seg: &[u8]) -> HttpClass {
    let t = seg.get(5..).unwrap_or_default();
    if t.first() != Some(&b'/') {
        return Post;
    }
    t.get(1)
        .and_then(|&c| run(t, post_rules(c)))
        .unwrap_or(Post)
}

fn get_rules(t: &[u8], letter: u8) -> Option<HttpClass> {
    match letter {
        b'A' => run(t, &[Prefix(b"/ADSAdClient", Adv)]),
        b'a' => run(t, GET_A),
        b'b' => run(t, &[Prefix(b"/blog/ajax_", Social)]),
        b'B' => run(t, &[Prefix(b"/Bursting", Adv)]),
        b'c' => run(t, GET_C),
        b'd' => run(t, GET_D),
        b'e' => run(t, GET_E),
        b'f' => run(t, GET_F),
        b'g' => run(t, GET_G),
        b'h' => run(t, GET_H),
        b'i' => run(t, GET_I),
        b'j' => run(t, GET_J),
        b'k' => run(t, &[Prefix(b"/kh/v=", Gmaps)]),
        b'l' => run(t, &[Prefix(b"/liveplay?", YoutubeVideo)]),
        b'm' => run(t, GET_M),
        b'n' => run(t, GET_N),
        b'o' => run(t, GET_O),
        b'p' => run(t, GET_P),
        b'R' => run(t, &[Guarded(23, b"/RealMedia/ads/", real_media)]),
        b'r' => run(t, GET_R),
        b's' => run(t, GET_S),
        b'u' => run(
            t,
            &[Guarded(33, b"/u/", |t| {
                lit_at(t, 26, b"watch_").then_some(YoutubeSite)
            })],
        ),
        b'?' => run(
            t,
            &[If(|t| {
                (t.len() > 5 && lit_at(t, 0, b"/?o=A")).then_some(Netflix)
            })],
        ),
        b'v' => run(t, GET_V),
        b'w' => run(t, GET_W),
        b'x' => run(t, &[Guarded(16, b"/x/", facebook_x)]),
        b'y' => run(t, &[Guarded(10, b"/yt/", youtube_static)]),
        b'_' => run(
            t,
            &[
                Prefix(b"/_videos_t4vn", FlashVideo),
                Prefix(b"/_thumbs/", FlashVideo),
            ],
        ),
        b'0'..=b'9' => digits(t, letter),
        _ => None,
    }
}

const GET_A: &[Rule] = &[
    // Compares 21 bytes of an 11-byte literal unless the capture is shorter than 11.
    ShortOnly(b"/api/stats/", 10, YoutubeSite),
    Prefix(b"/ads3/flyers/", Facebook),
    Prefix(b"/ads2/flyers/", Facebook),
    Prefix(b"/ads-ak-snc", Facebook),
    Prefix(b"/album.php?", Facebook),
    Prefix(b"/apps/application.php", Facebook),
    Prefix(b"/ai.php?aed=", Facebook),
    Prefix(b"/adj/", Adv),
    Prefix(b"/ajax_boxes/last_photos", Social),
    Guarded(10, b"/ajax/", facebook_ajax),
    Guarded(19, b"/albums_list/", |t| {
        all_digits(t, 13, 19).then_some(Social)
    }),
];

/// `/ajax/…` pages of Facebook, each compared over what was captured.
fn facebook_ajax(t: &[u8]) -> Option<HttpClass> {
    const PAGES: [&[u8]; 26] = [
        b"apps/usage_update.php",
        b"browse_history.php",
        b"chat/",
        b"composer/",
        b"ct.php?",
        b"ego_height.php",
        b"f2.php?",
        b"feed/",
        b"f.php?",
        b"gigaboxx/",
        b"hovercard/",
        b"home/",
        b"intent.php",
        b"like/participants.php",
        b"log_ticker_render.php",
        b"nectar.php",
        b"nectar_photos.php",
        b"notes_upload_ajax.php",
        b"notifications/",
        b"presence/",
        b"profile/",
        b"pagelet/generic.php",
        b"recent_pics.php",
        b"share_dialog.php",
        b"stream/profile.php",
        b"typeahead",
    ];
    let hit = PAGES.iter().any(|p| pre_at(t, 6, p))
        || pre_at(t, 6, b"video/")
        // `photos` is compared over 8 bytes: only a capture ending inside it can match.
        || (t.len() - 6 <= 6 && pre_at(t, 6, b"photos"));
    hit.then_some(Facebook)
}

const GET_C: &[Rule] = &[
    Prefix(b"/cgi-bin/rsapi.cgi", Rapidshare),
    Prefix(b"/cgi-bin/m?ci=", Adv),
    Prefix(b"/cgi-bin/m?rnd=", Adv),
    Prefix(b"/cgi-bin/count?cid=", Adv),
    Prefix(b"/cgi-bin/count?url=", Adv),
    Prefix(b"/cgi-bin/count?rnd=", Adv),
    Prefix(b"/cbk?output=", Gmaps),
    Prefix(b"/connect.php/", Facebook),
    Prefix(b"/connect/connect.php", Facebook),
    Prefix(b"/connect/xd_proxy.php", Facebook),
    Prefix(b"/connect/xd_arbiter/", Facebook),
    Prefix(b"/connect/xd_arbiter.php", Facebook),
    Prefix(b"/cfs-ak-", Facebook),
    Prefix(b"/cfs-l3-", Facebook),
    Prefix(b"/common/history_manager.php", Facebook),
    Prefix(b"/common/redirectiframe.html", Facebook),
    Guarded(30, b"/common/image/", |t| {
        let dirs: [&[u8]; 9] = [
            b"albums/",
            b"card/",
            b"clearbox/",
            b"emoticons/",
            b"facelift/",
            b"flash/",
            b"icon_",
            b"logo_",
            b"share/",
        ];
        any_at(t, 14, &dirs).then_some(Social)
    }),
];

const GET_D: &[Rule] = &[
    // `/dl/` + 32 characters + `/` + 8 characters + `/`: downloads, mostly video.
    If(|t| {
        let hit = t.len() > 46 && lit_at(t, 0, b"/dl/") && t[36] == b'/' && t[45] == b'/';
        hit.then_some(FlashVideo)
    }),
    Prefix(b"/dialog/oauth?api_key=", Facebook),
];

const GET_E: &[Rule] = &[
    Guarded(19, b"/embed/", |t| youtube_id(t, 7)),
    Prefix(b"/editapps.php", Facebook),
    Prefix(b"/editnote.php", Facebook),
    Prefix(b"/extern/login_status.php", Facebook),
    Prefix(b"/email_open_log_pic.php", Facebook),
    Prefix(b"/e4/flv/", FlashVideo),
];

/// An embedded YouTube player: 11 id characters from `at`, then a space, `&` or `?`.
fn youtube_id(t: &[u8], at: usize) -> Option<HttpClass> {
    let end = at + 11;
    let ok = matches!(t.get(end), Some(b' ' | b'&' | b'?'))
        && t.get(at..end)
            .is_some_and(|id| id.iter().all(|&c| id_char(c)));
    ok.then_some(YoutubeSiteEmbed)
}

const GET_F: &[Rule] = &[
    Prefix(b"/friends/", Facebook),
    Prefix(b"/friends.php", Facebook),
    Prefix(b"/feeds/notifications.php", Facebook),
    Prefix(b"/feeds/api/videos/", YoutubeSite),
    Prefix(b"/feeds/api/users/", YoutubeSite),
    Prefix(b"/feeds/base/", YoutubeSite),
    Guarded(27, b"/friends_online_list/", |t| {
        all_digits(t, 21, 27).then_some(Social)
    }),
    Guarded(20, b"/friends_list/", |t| {
        all_digits(t, 14, 20).then_some(Social)
    }),
    Guarded(38, b"/flv/", |t| {
        (t.get(37) == Some(&b'/')).then_some(FlashVideo)
    }),
    Guarded(15, b"/files/", file_hosting),
];

/// `/files/`: a hex name (not all digits) ending at a `/` (or the capture's end) past
/// offset 15 is Megaupload; eight digits are Rapidshare.
fn file_hosting(t: &[u8]) -> Option<HttpClass> {
    let run = t[7..]
        .iter()
        .take_while(|&&c| c != b'/' && c.is_ascii_hexdigit())
        .count();
    let end = 7 + run;
    let ends_well = t.get(end).is_none_or(|&c| c == b'/');
    if ends_well && end > 15 && t[7..end].iter().any(|c| !c.is_ascii_digit()) {
        return Some(Megaupload);
    }
    all_digits(t, 7, 15).then_some(Rapidshare)
}

const GET_G: &[Rule] = &[
    Prefix(b"/generate_204?", Youtube204),
    Prefix(b"/get_video_info?", YoutubeSite),
    Prefix(b"/get_video?", YoutubeSite),
    Prefix(b"/group.php?", Facebook),
    Prefix(b"/groups.php?", Facebook),
    Guarded(23, b"/get/", file_store),
    Guarded(21, b"/gadgets/", |t| {
        let calls: [&[u8]; 5] = [b"concat?", b"ifr?", b"js/rpc?", b"makeRequest", b"proxy?"];
        any_at(t, 9, &calls).then_some(Social)
    }),
    Guarded(25, b"/gallery/", gallery),
];

/// `/get/` + 8 alphanumerics + `/`: Hotfile when another `/` follows 8 characters later.
fn file_store(t: &[u8]) -> Option<HttpClass> {
    if t[13] != b'/' {
        return None;
    }
    if !t[5..13].iter().all(u8::is_ascii_alphanumeric) {
        return None;
    }
    Some(if t[22] == b'/' { Hotfile } else { Storage })
}

/// `/gallery/` + digits and slashes (at least one slash) ending with a digit, then a space,
/// all before offset 24.
fn gallery(t: &[u8]) -> Option<HttpClass> {
    let path = &t[9..24.min(t.len())];
    let end = path
        .iter()
        .position(|&c| !(c.is_ascii_digit() || c == b'/'))?;
    let ok = path[end] == b' '
        && end > 0
        && path[end - 1].is_ascii_digit()
        && path[..end].contains(&b'/');
    ok.then_some(Social)
}

const GET_H: &[Rule] = &[
    Prefix(b"/home.php?ref=", Facebook),
    Prefix(b"/hls_stream.ts?", YoutubeVideo),
];

const GET_I: &[Rule] = &[
    Guarded(31, b"/i/", |t| {
        lit_at(t, 26, b"1.jpg").then_some(YoutubeSite)
    }),
    Prefix(b"/i/widget-logo.png", Twitter),
    Prefix(b"/iframe/12?r=", Facebook),
    Prefix(b"/iframe/11?r=", Facebook),
    Prefix(b"/iframe/10?r=", Facebook),
];

const GET_J: &[Rule] = &[
    Prefix(b"/js/api_lib/v0.4/", Facebook),
    Prefix(b"/j/2/", Twitter),
    Prefix(b"/j/1/", Twitter),
];

const GET_M: &[Rule] = &[
    Guarded(16, b"/maps", |t| {
        let parts: [&[u8]; 7] = [
            b"/gen_",
            b"/vp?",
            b"/l?",
            b"/trends?",
            b"lt?lyrs=",
            b"/api/",
            b"lt/ft?lyrs=",
        ];
        any_at(t, 5, &parts).then_some(Gmaps)
    }),
    Prefix(b"/mapfiles/", Gmaps),
    Prefix(b"/might_know/listJSON/", Social),
];

const GET_N: &[Rule] = &[
    Prefix(b"/notifications.php", Facebook),
    Prefix(b"/new_messages_json/top/", Social),
    Prefix(b"/new_messages_get_mail/", Social),
    Prefix(b"/nktalk/", Social),
];

const GET_O: &[Rule] = &[
    Guarded(19, b"/online_list/", |t| {
        all_digits(t, 13, 19).then_some(Social)
    }),
    Guarded(14, b"/object", |t| {
        let ok = t[7..14].iter().all(|&c| c.is_ascii_digit() || c == b'/');
        ok.then_some(Facebook)
    }),
];

const GET_P: &[Rule] = &[
    Prefix(b"/pagead/", Adv),
    Prefix(b"/pull?channel=", Facebook),
    Prefix(b"/photo.php?fbid=", Facebook),
    Prefix(b"/photo.php?pid=", Facebook),
    Prefix(b"/photo_search.php?", Facebook),
    Prefix(b"/posted.php?", Facebook),
    Prefix(b"/profile.php?id=", Facebook),
    Prefix(b"/pagelet/generic.php", Facebook),
    Prefix(b"/ping?partition=", Facebook),
    Prefix(b"/p?partition=", Facebook),
    Guarded(29, b"/plugins/", |t| {
        let plugins: [&[u8]; 13] = [
            b"activity.php?",
            b"likebox.php?",
            b"like_box.php?",
            b"like.php?",
            b"login_button.php?",
            b"subscribe.php?",
            b"registration.php?",
            b"facepile.php?",
            b"fan.php?",
            b"send.php?",
            b"share_button.php?",
            b"comments.php?",
            b"recommendations.php?",
        ];
        any_at(t, 9, &plugins).then_some(Facebook)
    }),
    Guarded(24, b"/profile_images/", |t| {
        all_digits(t, 16, 24).then_some(Twitter)
    }),
    Guarded(22, b"/pages/", |t| {
        any_at(t, 7, SOCIAL_PAGES).then_some(Social)
    }),
    Guarded(16, b"/poczta/", |t| {
        let boxes: [&[u8]; 6] = [
            b"choose", b"compose", b"inbox", b"outbox", b"null", b"trash",
        ];
        (digit_at(t, 8) || any_at(t, 8, &boxes)).then_some(Social)
    }),
    Guarded(26, b"/profile/", |t| {
        let pages: [&[u8]; 10] = [
            b"edit ",
            b"advanced",
            b"black_list",
            b"card",
            b"gallery",
            b"null",
            b"preference",
            b"privacy_settings",
            b"ratings",
            b"sledzik",
        ];
        any_at(t, 9, &pages).then_some(Social)
    }),
];

const SOCIAL_PAGES: &[&[u8]] = &[
    b"activity/",
    b"application/",
    b"community/",
    b"image/",
    b"listing/",
    b"main/",
    b"message/",
    b"micrologin/",
    b"misc/",
    b"share/",
    b"timeline/",
    b"user/",
];

/// `/RealMedia/ads/` + an ad server page, compared over what was captured.
fn real_media(t: &[u8]) -> Option<HttpClass> {
    let pages: [&[u8]; 4] = [b"adstream", b"Creatives", b"cap.cgi", b"click_lx.ads"];
    let first = *t.get(15)?;
    let hit = pages.iter().any(|p| p[0] == first && pre_at(t, 15, p));
    hit.then_some(Adv)
}

const GET_R: &[Rule] = &[
    Prefix(b"/reqs.php?", Facebook),
    Prefix(b"/restserver.php", Facebook),
    Prefix(b"/rsrc.php/", Facebook),
    Prefix(b"/rest/person/", Social),
    Guarded(44, b"/range/", |t| {
        // Digits and dashes, then `?o=A` starting before offset 40.
        let end = 7 + t[7..40]
            .iter()
            .take_while(|&&c| c.is_ascii_digit() || c == b'-')
            .count();
        (end < 40 && lit_at(t, end, b"?o=A")).then_some(Netflix)
    }),
];

const GET_S: &[Rule] = &[
    Prefix(b"/subscribe?host_int=", Dropbox),
    Prefix(b"/safe_image.php?d=", Facebook),
    Prefix(b"/s.php?", Facebook),
    Prefix(b"/static/v0.4/", Facebook),
    Prefix(b"/stage.static/rsrc.php/", Facebook),
    Prefix(b"/static-ak/rsrc.php/", Facebook),
    Prefix(b"/search/pages/", Social),
    Prefix(b"/school/", Social),
    Prefix(b"/sledzik/", Social),
    Prefix(b"/storage/gifts/", Social),
    Prefix(b"/storage/smileys/", Social),
    PrefixThen(b"/style/", |t| hex_tag_after_colon(t, 7)),
    PrefixThen(b"/script/", |t| hex_tag_after_colon(t, 8)),
];

/// The first `:` after `from` (searched up to 5 bytes before the capture's end) followed by
/// four hex digits and a space.
fn hex_tag_after_colon(t: &[u8], from: usize) -> Option<HttpClass> {
    let stop = t.len().saturating_sub(5);
    let colon = (from..stop).find(|&i| t[i] == b':')?;
    let ok = (1..5).all(|k| t.get(colon + k).is_some_and(u8::is_ascii_hexdigit))
        && t.get(colon + 5) == Some(&b' ');
    ok.then_some(Social)
}

const GET_V: &[Rule] = &[
    Prefix(b"/videoplayback?", YoutubeVideo),
    Prefix(b"/videoplayback/", YoutubeVideo),
    Prefix(b"/vimeo/v/", Vimeo),
    Prefix(b"/videos/flv/", FlashVideo),
    Prefix(b"/vt/v=", Gmaps),
    Prefix(b"/vt/lyrs=", Gmaps),
    Prefix(b"/vt?lyrs=", Gmaps),
    Prefix(b"/vt/ft?lyrs=", Gmaps),
    Guarded(29, b"/vi/", |t| {
        let thumbs: [&[u8]; 8] = [
            b"default.jpg",
            b"hqdefault.jpg",
            b"mqdefault.jpg",
            b"sddefault.jpg",
            b"0.jpg",
            b"1.jpg",
            b"2.jpg",
            b"3.jpg",
        ];
        any_at(t, 16, &thumbs).then_some(YoutubeSite)
    }),
    Guarded(15, b"/v/", |t| youtube_id(t, 3)),
    If(|t| (t.len() > 16 && lit_at(t, 8, b"/flyers/")).then_some(Facebook)),
    If(|t| (t.len() > 15 && lit_at(t, 7, b"/flyers/")).then_some(Facebook)),
    Guarded(12, b"/v", |t| {
        let ok = t[2..12].iter().all(|&c| c.is_ascii_digit() || c == b'/');
        ok.then_some(Social)
    }),
];

const GET_W: &[Rule] = &[
    Prefix(b"/w/index.php?title=", Wiki),
    Prefix(b"/wiki/", Wiki),
    Prefix(b"/wikipedia/", Wiki),
    Prefix(b"/www/app_full_proxy.php?app=", Facebook),
    Guarded(22, b"/widgets/", |t| {
        let facebook: [&[u8]; 3] = [b"comments.php?", b"fan.php?", b"like.php?"];
        let twitter: [&[u8]; 5] = [
            b"follow_button",
            b"hub.",
            b"images/f.gif?",
            b"images/t.gif?",
            b"tweet_button.",
        ];
        if any_at(t, 9, &facebook) {
            Some(Facebook)
        } else {
            any_at(t, 9, &twitter).then_some(Twitter)
        }
    }),
    Guarded(48, b"/widgets.js", |t| {
        let hit = lit_at(t, 11, b"?_=") || lit_at(t, 22, b"Host: platform.twitter.com");
        hit.then_some(Twitter)
    }),
    Prefix(b"/watch?v=", YoutubeSiteDirect),
    Prefix(b"/watch#!v=", YoutubeSiteDirect),
    Prefix(b"/watched_events ", Social),
];

/// `/x/` + digits + `/false/p_` or `/true/p_`, possibly after a second group of digits.
fn facebook_x(t: &[u8]) -> Option<HttpClass> {
    let flag = |t: &[u8], i: usize| pre_at(t, i, b"/false/p_") || pre_at(t, i, b"/true/p_");
    let slash = digits_then_slash(t, 3, 14)?;
    if flag(t, slash) {
        return Some(Facebook);
    }
    let slash = digits_then_slash(t, slash + 1, 25)?;
    flag(t, slash).then_some(Facebook)
}

/// Digits from `from`, ended by a `/` before `limit`: the `/`'s offset.
fn digits_then_slash(t: &[u8], from: usize, limit: usize) -> Option<usize> {
    for i in from..limit {
        match t.get(i)? {
            b'/' => return Some(i),
            c if c.is_ascii_digit() => {}
            _ => return None,
        }
    }
    None
}

/// `/yt/` + a static resource folder, compared over what was captured.
fn youtube_static(t: &[u8]) -> Option<HttpClass> {
    let dirs: [&[u8]; 6] = [b"cssbin/", b"favicon", b"img/", b"js/", b"jsbin/", b"swf/"];
    let first = *t.get(4)?;
    dirs.iter()
        .any(|d| d[0] == first && pre_at(t, 4, d))
        .then_some(YoutubeSite)
}

/// Targets starting with a digit: Tstat's cases fall through from `4` to `0` to `1` to the
/// common digit rules.
fn digits(t: &[u8], first: u8) -> Option<HttpClass> {
    let a = t.len();
    if first == b'4' && pre_at(t, 0, b"/467f9bca32b1989") {
        return Some(FlashVideo);
    }
    if matches!(first, b'4' | b'0') {
        let social = (a > 12 && (lit_at(t, 5, b"/club/") || lit_at(t, 5, b"/user/")))
            || (a > 15 && lit_at(t, 5, b"/listing/"));
        if social {
            return Some(Social);
        }
    }
    if matches!(first, b'4' | b'0' | b'1') && t.get(2) == Some(&b'/') {
        let api: [&[u8]; 3] = [b"/1/statuses/", b"/1/urls/count.json?", b"/1/users/show"];
        if api.iter().any(|p| pre_at(t, 0, p)) {
            return Some(Twitter);
        }
    }
    if a <= 25 || !digit_at(t, 2) {
        return None;
    }
    if facebook_picture(&t[..a.min(30)]) {
        return Some(Facebook);
    }
    flickr(t).or_else(|| vimeo(t)).or_else(|| social_photo(t))
}

/// `/[0-9]{8,15}/picture[?/ ]` anywhere in the first 30 bytes (graph.facebook.com).
fn facebook_picture(t: &[u8]) -> bool {
    (0..t.len()).any(|i| {
        if t[i] != b'/' {
            return false;
        }
        let n = t[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        let after = i + 1 + n;
        (8..=15).contains(&n)
            && lit_at(t, after, b"/picture")
            && matches!(t.get(after + 8), Some(b'?' | b'/' | b' '))
    })
}

/// Flickr photos: `/` + 2–4 digits + `/` + 9 or more digits + `_` before offset 20 + 10 hex
/// digits.
fn flickr(t: &[u8]) -> Option<HttpClass> {
    let server_end = digits_then_slash(t, 3, 6)?;
    let mut i = server_end + 1;
    let start = i;
    while i < 20 && digit_at(t, i) {
        i += 1;
    }
    if i >= 20 || t.get(i) != Some(&b'_') || i - start <= 8 {
        return None;
    }
    let secret = t.get(i + 1..i + 11)?;
    secret.iter().all(u8::is_ascii_hexdigit).then_some(Flickr)
}

/// The end of the digits-and-slashes run from offset 3, when it ends before `limit`.
fn path_end(t: &[u8], limit: usize) -> Option<usize> {
    (3..limit).find(|&i| t.get(i).is_none_or(|&c| !(c.is_ascii_digit() || c == b'/')))
}

/// Vimeo: digits and slashes, then `.mp4?ak` or `.mp4?token`.
fn vimeo(t: &[u8]) -> Option<HttpClass> {
    let i = path_end(t, 23)?;
    (pre_at(t, i, b".mp4?ak") || pre_at(t, i, b".mp4?token")).then_some(Vimeo)
}

/// Photo sites: digits and slashes, then `thumb/`, `other/` or `main/`.
fn social_photo(t: &[u8]) -> Option<HttpClass> {
    let i = path_end(t, 16)?;
    let hit = pre_at(t, i, b"thumb/") || pre_at(t, i, b"other/") || pre_at(t, i, b"main/");
    hit.then_some(Social)
}

/// Rules on the shape of any GET target, when its letter's rules named nothing.
fn tail(t: &[u8]) -> Option<HttpClass> {
    let a = t.len();
    let akamai = (6..=9).any(|at| lit_at(t, at, b"-ak-"));
    if a > 14 && akamai {
        return Some(Facebook);
    }
    if a > 14 && t[3] == b'_' && lit_at(t, 6, b"/all.js") {
        return Some(Facebook);
    }
    if a > 36 && t[12] == b'g' && t[13] == b'/' && (t[25] == b'/' || t[29] == b'/') {
        return mediafire(t);
    }
    if a > 43 && t[41] == b' ' {
        let lower_hex = |c: &u8| c.is_ascii_digit() || (b'a'..=b'f').contains(c);
        return t[1..41].iter().all(lower_hex).then_some(Megaupload);
    }
    None
}

/// Mediafire: `/` + 11 characters without `/` or `_` + `g/` + 11 or 15 characters without
/// `/` or space + `/` + a name ending at a space or at the end of the capture.
fn mediafire(t: &[u8]) -> Option<HttpClass> {
    if t[1..12].iter().any(|&c| c == b'/' || c == b'_') {
        return None;
    }
    let limit = if t[25] == b'/' { 25 } else { 29 };
    if t[14..limit].iter().any(|&c| c == b'/' || c == b' ') {
        return None;
    }
    let rest = &t[(limit + 1).min(t.len())..];
    match rest.iter().find(|&&c| c == b'/' || c == b' ') {
        Some(b'/') => None,
        _ => Some(Mediafire),
    }
}

fn post_rules(letter: u8) -> &'static [Rule] {
    match letter {
        b'a' => POST_A,
        b'c' => &[
            Prefix(b"/cgi-bin/rsapi.cgi", Rapidshare),
            Prefix(b"/close/", Rtmpt),
            Prefix(b"/current/flashservices/", Facebook),
            Prefix(b"/cbk?output=", Gmaps),
        ],
        b'C' => &[Prefix(b"/CLOSE/", Rtmpt)],
        b'f' => &[
            Prefix(b"/fbml/", Facebook),
            Prefix(b"/flashservices/gateway.php", Facebook),
            Guarded(15, b"/files/", |t| {
                all_digits(t, 7, 15).then_some(Rapidshare)
            }),
        ],
        b'g' => &[
            Prefix(b"/gateway/gateway.dll?Action=", Msn),
            Prefix(b"/gateway/gateway.dll?SessionID=", Msn),
            Prefix(b"/glm/mmap ", Gmaps),
            Prefix(b"/gadgets/makeRequest ", Social),
        ],
        b'h' => &[Prefix(b"/http-bind ", Social)],
        b'i' => &[
            Prefix(b"/idle/", Rtmpt),
            PrefixThen(b"/invite/", |t| all_digits(t, 8, 13).then_some(Social)),
        ],
        b'I' => &[Prefix(b"/IDLE/", Rtmpt)],
        b'm' => &[Prefix(b"/might_know/unwanted/", Social)],
        b'n' => &[Prefix(b"/nktalk/", Social)],
        b'o' => &[Prefix(b"/open/", Rtmpt)],
        b'O' => &[Prefix(b"/OPEN/", Rtmpt)],
        b'p' => POST_P,
        b'r' => &[
            Prefix(b"/restserver.php", Facebook),
            Prefix(b"/reject/", Social),
            Prefix(b"/rendering_measurement", Social),
        ],
        b's' => &[
            Prefix(b"/send/", Rtmpt),
            Prefix(b"/social/rpc?st=", Social),
            Prefix(b"/sledzik/", Social),
            Prefix(b"/school/", Social),
            Prefix(b"/search.json?", Twitter),
        ],
        b'S' => &[Prefix(b"/SEND/", Rtmpt)],
        b'u' => &[Prefix(b"/url_validator", Social)],
        b'v' => &[Prefix(b"/video_info_ajax?", YoutubeSite)],
        b'w' => &[
            Prefix(b"/watched_events/", Social),
            Prefix(b"/watch_actions_ajax?", YoutubeSite),
        ],
        _ => &[],
    }
}

const POST_A: &[Rule] = &[
    Prefix(b"/ajax/presence/", Facebook),
    Prefix(b"/ajax/chat/", Facebook),
    Prefix(b"/ajax/", Facebook),
    PrefixThen(b"/accept/", |t| all_digits(t, 8, 13).then_some(Social)),
];

const POST_P: &[Rule] = &[
    Prefix(b"/profile_ajax?action_ajax=", YoutubeSite),
    Prefix(b"/pins/friends ", Social),
    Prefix(b"/pins/get ", Social),
    Prefix(b"/poczta/", Social),
    Guarded(26, b"/profile/", |t| {
        let pages: [&[u8]; 3] = [b"privacy_settings", b"edit ", b"black_list"];
        (digit_at(t, 9) || any_at(t, 9, &pages)).then_some(Social)
    }),
    Guarded(22, b"/pages/", |t| {
        any_at(t, 7, SOCIAL_PAGES).then_some(Social)
    }),
];

#[cfg(test)]
mod tests;
