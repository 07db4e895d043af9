/*
 * Content Partnerships Helpdesk – the support checklist of the case page, ticked
 * without reloading the page. Each step is its own form, which works without this
 * file (the page comes back with the step ticked). Here a step's form is posted in
 * the background asking for JSON; the answer holds the checklist as the page would
 * show it, whose list and "3 of 7 steps done" count replace the old ones (the count
 * is a live region, so screen readers hear it), and the case's new version, which
 * the page's other forms carry from then on. When anything goes wrong the form is
 * sent as a page would send it, so the page shows the reason.
 */
( function () {
	'use strict';

	function section() {
		return document.getElementById( 'checklist' );
	}

	function update( data, key ) {
		var fresh = new DOMParser().parseFromString( data.html, 'text/html' ).getElementById( 'checklist' );
		var current = section();
		current.querySelector( 'ul.checklist' ).replaceWith( fresh.querySelector( 'ul.checklist' ) );
		current.querySelector( '.checklist__count' ).textContent =
			fresh.querySelector( '.checklist__count' ).textContent.trim();
		current.querySelector( '.checklist__progress' ).value =
			fresh.querySelector( '.checklist__progress' ).value;
		document.querySelectorAll( 'input[name="version"]' ).forEach( function ( input ) {
			input.value = data.version;
		} );
		document.querySelectorAll( 'input[name="loaded_at"]' ).forEach( function ( input ) {
			input.value = data.loaded_at;
		} );
		var button = current.querySelector( 'form[data-key="' + key + '"] button[type="submit"]' );
		if ( button ) {
			button.focus();
		}
	}

	function send( form ) {
		var button = form.querySelector( 'button[type="submit"]' );
		form.setAttribute( 'aria-busy', 'true' );
		button.disabled = true;
		fetch( form.action, {
			method: 'POST',
			body: new FormData( form ),
			headers: { Accept: 'application/json' },
			credentials: 'same-origin'
		} ).then( function ( response ) {
			if ( !response.ok ) {
				throw new Error( String( response.status ) );
			}
			return response.json();
		} ).then( function ( data ) {
			update( data, form.getAttribute( 'data-key' ) );
		} ).catch( function () {
			form.submit();
		} );
	}

	document.addEventListener( 'submit', function ( event ) {
		var form = event.target;
		var list = section();
		if ( !list || !form.matches( 'form.checklist__form' ) || !list.contains( form ) ) {
			return;
		}
		event.preventDefault();
		if ( form.getAttribute( 'aria-busy' ) !== 'true' ) {
			send( form );
		}
	} );
}() );
