//! One request per rule family, written as a browser would send it.

use super::*;

fn get(target: &str) -> HttpClass {
    classify_get(format!("GET {target} HTTP/1.1\r\nHost: example.com\r\n\r\n").as_bytes())
}

fn post(target: &str) -> HttpClass {
    classify_post(format!("POST {target} HTTP/1.1\r\nHost: example.com\r\n\r\n").as_bytes())
}

#[test]
fn unclassified_requests_keep_their_method() {
    assert_eq!(get("/index.html"), Get);
    assert_eq!(
        get("http://example.com/videoplayback?id=1"),
        Get,
        "absolute form"
    );
    assert_eq!(post("/api/proxy?url=x"), Post);
    assert_eq!(classify_get(b"GET "), Get);
    assert_eq!(classify_post(b"POST"), Post);
}

#[test]
fn youtube_rules() {
    assert_eq!(
        get("/videoplayback?id=0123456789abcdef&itag=22"),
        YoutubeVideo
    );
    assert_eq!(get("/generate_204?ip=1.2.3.4"), Youtube204);
    assert_eq!(get("/get_video_info?video_id=abc"), YoutubeSite);
    assert_eq!(get("/watch?v=dQw4w9WgXcQ"), YoutubeSiteDirect);
    assert_eq!(get("/embed/dQw4w9WgXcQ?rel=0"), YoutubeSiteEmbed);
    assert_eq!(get("/v/dQw4w9WgXcQ&fs=1"), YoutubeSiteEmbed);
    assert_eq!(get("/vi/dQw4w9WgXcQ/hqdefault.jpg"), YoutubeSite);
    assert_eq!(get("/yt/jsbin/www-en_US.js"), YoutubeSite);
    assert_eq!(post("/watch_actions_ajax?action=1"), YoutubeSite);
}

#[test]
fn facebook_rules() {
    assert_eq!(get("/ajax/chat/buddy_list.php"), Facebook);
    assert_eq!(
        get("/plugins/like.php?href=x&layout=button_count"),
        Facebook
    );
    assert_eq!(get("/rsrc.php/v2/yb/r/AZRHjLCcGAc.js"), Facebook);
    assert_eq!(get("/100000123456/picture?type=large"), Facebook);
    assert_eq!(get("/x/1234567/false/p_1234=5"), Facebook);
    assert_eq!(post("/ajax/presence/update.php"), Facebook);
}

#[test]
fn facebook_tail_rules() {
    // F1: an Akamai `-ak-` host part; F2: the SDK's `/xx_YY/all.js`.
    assert_eq!(get("/hphotos-ak-snc6/123_n.jpg"), Facebook);
    assert_eq!(get("/en_US/all.js"), Facebook);
}

#[test]
fn a_guarded_rule_that_fails_stops_its_letter() {
    // `/i/` longer than 31 bytes without `1.jpg` at 26 hides the Twitter logo rule.
    assert_eq!(get("/i/widget-logo.png"), Get);
    assert_eq!(classify_get(b"GET /i/widget-logo.png"), Twitter);
}

#[test]
fn other_site_rules() {
    assert_eq!(get("/pagead/conversion.js"), Adv);
    assert_eq!(get("/RealMedia/ads/adstream_sx.ads/x"), Adv);
    assert_eq!(get("/wikipedia/commons/6/63/Wikipedia-logo.png"), Wiki);
    assert_eq!(get("/maps/api/js?sensor=false"), Gmaps);
    assert_eq!(get("/range/0-65535?o=AQEfKq"), Netflix);
    assert_eq!(get("/1/statuses/user_timeline.json"), Twitter);
    assert_eq!(get("/subscribe?host_int=123456&ns_map=1"), Dropbox);
    assert_eq!(get("/videos/flv/clip.flv"), FlashVideo);
    assert_eq!(get("/vimeo/v/12345"), Vimeo);
    assert_eq!(get("/12345/67890.mp4?token=abc"), Vimeo);
    assert_eq!(get("/2134/5678901234_0123456789_b.jpg"), Flickr);
}

#[test]
fn file_hosting_rules() {
    assert_eq!(get("/files/12345678/name.zip"), Rapidshare);
    assert_eq!(get("/files/0a1b2c3d4e/name.zip"), Megaupload);
    assert_eq!(get("/get/AbCd1234/01234567/file.zip"), Hotfile);
    assert_eq!(get("/get/AbCd1234/0123456789/file.zip"), Storage);
    assert_eq!(get("/abcdefghijkg/abcdefghijk/name.zip"), Mediafire);
    assert_eq!(
        get("/0123456789abcdef0123456789abcdef01234567 x"),
        Megaupload
    );
    assert_eq!(post("/files/12345678/upload"), Rapidshare);
}

#[test]
fn social_rules() {
    assert_eq!(get("/pages/community/x.html"), Social);
    assert_eq!(get("/gallery/123/4567 HTTP"), Social);
    assert_eq!(get("/style/main.css:a1f2 x"), Social);
    assert_eq!(post("/accept/12345"), Social);
    assert_eq!(post("/profile/7/x"), Social);
}

#[test]
fn chat_and_tunnel_posts() {
    assert_eq!(post("/gateway/gateway.dll?Action=open"), Msn);
    assert_eq!(post("/idle/12/3"), Rtmpt);
    assert_eq!(post("/search.json?q=x"), Twitter);
}

#[test]
fn short_or_odd_captures_never_panic() {
    let mut seg = b"GET /".to_vec();
    for len in 0..80 {
        for c in [b'/', b'1', b'4', b'0', b'v', b'x', b'g', b' ', b'_', b'a'] {
            seg.truncate(5 + len);
            seg.push(c);
            let _ = classify_get(&seg);
            let mut p = seg.clone();
            p.splice(0..4, b"POST ".iter().copied());
            let _ = classify_post(&p);
        }
    }
}
