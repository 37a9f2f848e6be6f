package kit

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"renofund/internal/errs"
	"renofund/internal/web"
)

// loginForm is the sign-in page's model.
type loginForm struct {
	Next, Error string
}

// LoginPage is the sign-in form.
func (k *Kit) LoginPage(c *gin.Context) {
	k.Render(c, http.StatusOK, "login", "登录", loginForm{Next: safeNext(c.Query("next"))})
}

// login exchanges the token typed into the form for a session cookie. The
// token is never stored by the browser: the form's field is cleared on
// submit and the answer is a redirect.
func (k *Kit) login(c *gin.Context) {
	next := safeNext(c.PostForm("next"))
	if !web.SameOrigin(c) {
		k.Fail(c, http.StatusForbidden, "cross_origin", codeText["cross_origin"])
		return
	}
	secret, sess, err := k.tokens.StartSession(c.Request.Context(), strings.TrimSpace(c.PostForm("token")))
	if err != nil {
		status := http.StatusUnauthorized
		msg := "令牌无效、已过期或已被吊销。"
		if errs.Classify(err).Kind != errs.Unauthenticated {
			k.web.Fail(c, err)
			return
		}
		k.Render(c, status, "login", "登录", loginForm{Next: next, Error: msg})
		return
	}
	web.SetSessionCookie(c, secret)
	if next == "" {
		next = Home(sess.Actor.Role)
	}
	c.Redirect(http.StatusSeeOther, next)
}

// logout ends the session and clears its cookie.
func (k *Kit) logout(c *gin.Context) {
	secret, _ := c.Cookie(web.SessionCookie)
	if err := k.tokens.EndSession(c.Request.Context(), secret); err != nil {
		k.web.Fail(c, err)
		return
	}
	web.ClearSessionCookie(c)
	c.Redirect(http.StatusSeeOther, web.LoginPath+"?ok="+urlQuery("已退出登录"))
}

// safeNext keeps a redirect after sign-in inside the console.
func safeNext(next string) string {
	if strings.HasPrefix(next, "/console/") && !strings.HasPrefix(next, "//") && !strings.Contains(next, "\\") {
		return next
	}
	return ""
}
